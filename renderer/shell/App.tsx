// The shell: the portal switcher and its connection state, then everything for the active profile, whose query
// cache is restored from (and saved to) that profile's persisted cache.
import { QueryClientProvider, type UseQueryResult, useQuery, useQueryClient } from '@tanstack/react-query';
import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import type { ChannelOutput, ProfileSummary } from '../../app/contract/index.ts';
import { getApi } from '../bridge/index.ts';
import { ChatsView } from '../features/chats/ChatsView.tsx';
import { ConnectionBanner } from '../features/connection/ConnectionBanner.tsx';
import { ConnectionStatus } from '../features/connection/ConnectionStatus.tsx';
import { connectionKeys } from '../features/connection/connection.keys.ts';
import { useTransportState } from '../features/connection/use-transport-state.ts';
import { ManagePortalsDialog } from '../features/profiles/ManagePortalsDialog.tsx';
import { PortalSwitcher } from '../features/profiles/PortalSwitcher.tsx';
import { profileKeys, profileListOptions } from '../features/profiles/profile.keys.ts';
import { SecretPrompt } from '../features/profiles/SecretPrompt.tsx';
import { NewRunActions } from '../features/runs/NewRunActions.tsx';
import { RunWorkspace } from '../features/runs/RunWorkspace.tsx';
import { CACHE_BUSTER, createProfilePersister, persistsForProfile } from './cache-persister.ts';
import { CACHE_MAX_AGE_MS, queryClient } from './query-client.ts';

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Shell />
    </QueryClientProvider>
  );
}

function useBridgeEvents() {
  const client = useQueryClient();
  const transport = useTransportState();
  useEffect(() => {
    const api = getApi();
    const offProfiles = api.on('profiles.changed', () => {
      void client.invalidateQueries({ queryKey: profileKeys.all });
    });
    const offConnection = api.on('connection.changed', (state) => {
      client.setQueryData(connectionKeys.detail(state.profileId), state);
    });
    return () => {
      offProfiles();
      offConnection();
    };
  }, [client]);
  // Back from a host restart: whatever was shown may be stale.
  useEffect(() => {
    if (transport === 'open') void client.invalidateQueries();
  }, [client, transport]);
}

/** Opens "Manage portals"; the dialog lives above the active profile's scope, so it stays open when that changes. */
const ManagePortalsContext = createContext<() => void>(() => {});

function Shell() {
  useBridgeEvents();
  const profiles = useQuery(profileListOptions());
  const list = profiles.data?.profiles ?? [];
  const activeId = profiles.data?.activeProfileId ?? null;
  const active = list.find((profile) => profile.id === activeId);
  const [managing, setManaging] = useState(false);
  const openManager = useMemo(() => () => setManaging(true), []);

  return (
    <ManagePortalsContext.Provider value={openManager}>
      {active ? (
        <ProfileScope key={active.id} profile={active} profiles={list} />
      ) : (
        <NoActiveProfile profiles={profiles} list={list} activeId={activeId} />
      )}
      {managing ? <ManagePortalsDialog profiles={list} onClose={() => setManaging(false)} /> : null}
    </ManagePortalsContext.Provider>
  );
}

function NoActiveProfile({
  profiles,
  list,
  activeId,
}: {
  profiles: UseQueryResult<ChannelOutput<'profiles.list'>>;
  list: readonly ProfileSummary[];
  activeId: string | null;
}) {
  return (
    <Layout switcher={<PortalSwitcher profiles={list} activeProfileId={activeId} />} status={null}>
      <main className="empty-state">
        {profiles.isPending ? <p role="status">Loading portals…</p> : null}
        {profiles.isError ? (
          <p role="alert" className="error-message">
            Could not load the portal profiles: {profiles.error.message}
          </p>
        ) : null}
        {profiles.data && list.length === 0 ? (
          <p>
            No portal is configured yet. Add one with “Manage portals” (or <code>npx openlines profiles add</code>), or
            start the console on the demo portal.
          </p>
        ) : null}
        {profiles.data && list.length > 0 ? <p>Choose a portal to see its open-line chats.</p> : null}
      </main>
    </Layout>
  );
}

function ProfileScope({ profile, profiles }: { profile: ProfileSummary; profiles: readonly ProfileSummary[] }) {
  const persistOptions = useMemo(
    () => ({
      persister: createProfilePersister(getApi(), profile.id),
      maxAge: CACHE_MAX_AGE_MS,
      buster: CACHE_BUSTER,
      dehydrateOptions: {
        shouldDehydrateQuery: (query: { queryKey: readonly unknown[]; state: { data: unknown } }) =>
          query.state.data !== undefined && persistsForProfile(query.queryKey, profile.id),
      },
    }),
    [profile.id],
  );
  return (
    <PersistQueryClientProvider client={queryClient} persistOptions={persistOptions}>
      <Layout
        switcher={<PortalSwitcher profiles={profiles} activeProfileId={profile.id} />}
        status={<ConnectionStatus profileId={profile.id} />}
      >
        <ConnectionBanner profileId={profile.id} profileName={profile.name} />
        <main>
          {profile.hasSecret ? (
            <RunWorkspace profileId={profile.id}>
              <ChatsView
                profileId={profile.id}
                toolbarActions={<NewRunActions />}
                secretPrompt={(reason) => <SecretPrompt profile={profile} reason={reason} />}
              />
            </RunWorkspace>
          ) : (
            <SecretPrompt profile={profile} />
          )}
        </main>
      </Layout>
    </PersistQueryClientProvider>
  );
}

interface LayoutProps {
  switcher: ReactNode;
  status: ReactNode;
  children: ReactNode;
}

function Layout({ switcher, status, children }: LayoutProps) {
  const openManager = useContext(ManagePortalsContext);
  return (
    <div className="app">
      <header className="app-header">
        <h1>Open Lines Console</h1>
        <div className="header-controls">
          {switcher}
          <button type="button" onClick={openManager}>
            Manage portals
          </button>
          {status}
        </div>
      </header>
      {children}
    </div>
  );
}
