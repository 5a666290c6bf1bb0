import { useRegisterSW } from 'virtual:pwa-register/react';

/**
 * The offline service worker's two messages: once everything is cached, that the lab now works
 * without a network; and when a new version has been downloaded, that a reload brings it in.
 * The new version waits until the user says so (training is saved when the page goes away).
 */
export function UpdateBanner() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW();
  if (needRefresh)
    return (
      <div className="notice update-banner" role="status" data-testid="update-ready">
        A new version of MAML Lab has been downloaded.{' '}
        <button type="button" data-testid="update-reload" onClick={() => void updateServiceWorker(true)}>
          Reload to update
        </button>{' '}
        <button type="button" className="link" onClick={() => setNeedRefresh(false)}>
          Later
        </button>
        <span className="muted"> (your training is saved in this browser and comes back after the reload)</span>
      </div>
    );
  if (offlineReady)
    return (
      <div className="notice update-banner" role="status" data-testid="offline-ready">
        MAML Lab is saved in this browser: it works without a network from now on.{' '}
        <button type="button" className="link" onClick={() => setOfflineReady(false)}>
          OK
        </button>
      </div>
    );
  return null;
}
