import Tour from './Tour';
import { TOUR_STEPS, type TourStep } from './steps';

/** The sinusoid lab's tour (its own chunk: the steps typeset formulas with KaTeX). */
export default function SinusoidTour(props: {
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
  onEnter: (s: TourStep) => void;
}) {
  return <Tour steps={TOUR_STEPS} {...props} />;
}
