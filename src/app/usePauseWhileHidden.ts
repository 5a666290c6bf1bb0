import { useEffect } from 'react';

/**
 * A lab whose tab is not shown stays mounted with its state (App.tsx) but does not train:
 * while `active` is false, training that runs (or starts, as an autoplay after calibration)
 * is paused.
 */
export function usePauseWhileHidden(active: boolean, running: boolean, pause: () => void) {
  useEffect(() => {
    if (!active && running) pause();
  }, [active, running, pause]);
}
