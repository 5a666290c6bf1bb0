import Tour from '../tour/Tour';
import { RL_TOUR, type RlTourStep } from './rlTourSteps';

/** The RL lab's tour, loaded when it is opened. */
export default function RlTour(props: {
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
  onEnter: (s: RlTourStep) => void;
}) {
  return <Tour steps={RL_TOUR} {...props} />;
}
