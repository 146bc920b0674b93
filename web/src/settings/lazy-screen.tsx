import { Component, Suspense, type ReactNode } from 'react';
import { useT } from '../i18n';

/**
 * Around a screen loaded on demand: "loading" while its code arrives, and a way out when it cannot
 * arrive (offline, or a new version was deployed and the old chunk is gone).
 */
export function LazyScreen({ children }: { children: ReactNode }) {
  return (
    <LoadBoundary>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </LoadBoundary>
  );
}

function Loading() {
  const t = useT();
  return (
    <p className="splash" role="status">
      {t('app.loading')}
    </p>
  );
}

function LoadFailed() {
  const t = useT();
  return (
    <div className="splash" role="alert">
      <p>{t('settings.loadFailed')}</p>
      <button type="button" className="primary" onClick={() => window.location.reload()}>
        {t('settings.reload')}
      </button>
    </div>
  );
}

class LoadBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    return this.state.failed ? <LoadFailed /> : this.props.children;
  }
}
