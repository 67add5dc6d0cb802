// The bad-input catalogue: every group of cases, in the order docs/errors.md lists them.
import type { Case, CaseGroup } from './case.ts';
import { conflicts, durations, flags, images, names } from './cases/usage.ts';
import { configFiles, credentials, kubeconfigs } from './cases/config.ts';
import { network } from './cases/network.ts';
import { admission, containers, forbidden, notDebuggable, notFound } from './cases/cluster.ts';
import { signals } from './cases/signals.ts';
import { localFiles } from './cases/local.ts';

export const GROUPS: CaseGroup[] = [
  names, flags, conflicts, durations, images,
  kubeconfigs, credentials, configFiles, network,
  notFound, notDebuggable, forbidden, admission, containers, localFiles, signals,
];

export const CASES: Case[] = GROUPS.flatMap((g) => g.cases);
