import { useEffect } from 'react';

/**
 * Asks a lab's worker to save its training when the page is hidden (another browser tab, a
 * minimised window, a phone's app switcher) or left (reload, close, navigation). Saving also
 * happens every 10 s while training, which bounds what a sudden close can lose.
 */
export function useSaveOnLeave(save: () => void) {
  useEffect(() => {
    const onHide = () => {
      if (document.visibilityState === 'hidden') save();
    };
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', save);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', save);
    };
  }, [save]);
}
