import Tour from '../tour/Tour';
import { OMNIGLOT_TOUR, type OmniglotTourStep } from './omniglotTourSteps';

/** The Omniglot lab's tour (its own chunk: the steps typeset formulas with KaTeX). */
export default function OmniglotTour(props: {
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
  onEnter: (s: OmniglotTourStep) => void;
}) {
  return <Tour steps={OMNIGLOT_TOUR} {...props} />;
}
