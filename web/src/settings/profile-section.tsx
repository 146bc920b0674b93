import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useSession, useSessionUser } from '../auth';
import { useT } from '../i18n';
import { Section } from './page-shell';
import { settingsApi } from './settings-api';

export function ProfileSection() {
  const t = useT();
  const api = useApi();
  const user = useSessionUser();
  const { refresh } = useSession();
  const [name, setName] = useState(user.name);
  const [imageUrl, setImageUrl] = useState(user.profile_image_url);
  // A picture that does not load is left out rather than shown as a broken icon.
  const [brokenImage, setBrokenImage] = useState<string | null>(null);
  const nameId = useId();
  const imageId = useId();
  const save = useMutation({
    mutationFn: () =>
      settingsApi.updateProfile(api, { name: name.trim(), profile_image_url: imageUrl.trim() }),
    // The session holds the name shown elsewhere; ask the server again.
    onSuccess: () => refresh(),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Section title={t('settings.profile.title')}>
      <form onSubmit={submit} className="settings-form">
        <div className="field">
          <label htmlFor={nameId}>{t('settings.profile.name')}</label>
          <input
            id={nameId}
            value={name}
            required
            maxLength={255}
            autoComplete="name"
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={imageId}>{t('settings.profile.imageUrl')}</label>
          <div className="image-row">
            {imageUrl.trim() && brokenImage !== imageUrl.trim() && (
              <img
                className="avatar"
                src={imageUrl.trim()}
                alt=""
                width={40}
                height={40}
                onError={() => setBrokenImage(imageUrl.trim())}
              />
            )}
            <input
              id={imageId}
              value={imageUrl}
              inputMode="url"
              placeholder="https://…"
              onChange={(event) => setImageUrl(event.target.value)}
            />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? t('settings.saving') : t('settings.save')}
          </button>
        </div>
        <p role="status" className="muted">
          {save.isSuccess ? t('settings.profile.saved') : ''}
        </p>
        {save.isError && (
          <p className="error" role="alert">
            {errorMessage(save.error, t)}
          </p>
        )}
      </form>
    </Section>
  );
}
