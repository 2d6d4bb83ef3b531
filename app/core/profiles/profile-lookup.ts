// Finding a profile the way the user names it: by id, or by display name in any case.
import { ProfileError } from './errors.ts';
import type { Profile, ProfilesFile } from './schema.ts';

export function findIn(file: ProfilesFile, nameOrId: string): Profile | null {
  const wanted = nameOrId.trim().toLowerCase();
  return (
    file.profiles.find((p) => p.id === wanted) ?? file.profiles.find((p) => p.name.toLowerCase() === wanted) ?? null
  );
}

export function mustFind(file: ProfilesFile, nameOrId: string): Profile {
  const profile = findIn(file, nameOrId);
  if (profile) return profile;
  const known = file.profiles.map((p) => p.id).join(', ') || 'none yet';
  throw new ProfileError('PROFILE_NOT_FOUND', `No profile is called "${nameOrId}" (profiles: ${known}).`);
}
