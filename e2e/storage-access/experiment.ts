import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoopbackServer } from '@sso-spa/testkit';
import type { Page } from 'playwright-core';
import type { IdpRequest, World } from './topology.js';

// What Chromium really does with the Storage Access API, measured step by step in the
// blocked-cookie regime against the dev IdP's opt-in. Each step waits for a message or a
// navigation, never for time. The result is data (Findings); the test asserts on part of it
// and writes all of it out.

type Message = { type?: string; [key: string]: unknown };

export interface SilentOutcome {
  /** Message types the app received, in order. */
  messages: string[];
  /** `code` when a code came back, else the `error`. */
  result: string;
  /** What the IdP saw: one entry per /authorize request of this silent check. */
  idpSaw: Pick<IdpRequest, 'sessionCookie' | 'storageAccess' | 'followUp' | 'activate' | 'status'>[];
  /** The SSO session's last activity moved forward (the silent check slid it). */
  slid: boolean;
}

export interface ProbeOutcome {
  has: boolean;
  permission: string;
  request: string;
  hasAfter: boolean;
  cookieAfter: string;
}

export interface Findings {
  chromium: string;
  sessionCookie: { sameSite: string; secure: boolean; httpOnly: boolean } | undefined;
  topLevel: { requestStorageAccessFor: string; topLevelPermission: string };
  beforeGrant: { silent: SilentOutcome; probeWithoutGesture: ProbeOutcome };
  playwrightGrantPermissions: { call: string; probe: ProbeOutcome };
  clickInFrame: { answer: Message | undefined; probeAfter: ProbeOutcome };
  /** How the grant was finally made: by the click, or by CDP `Browser.setPermission` standing in for "Allow". */
  grantedBy: 'click' | 'cdp';
  buttonAfterGrant: Message | undefined;
  probeAfterGrant: ProbeOutcome;
  silentHeaderFlow: SilentOutcome;
  silentScriptFlow: SilentOutcome;
  silentAfterReload: SilentOutcome;
  silentInNewTab: SilentOutcome;
  silentFromOtherSite: SilentOutcome;
  /** The stored decisions from the profile's Preferences, lifetimes in seconds. */
  storedGrants: { pair: string; setting: string; lifetimeSeconds: number }[];
}

const challenge = () => createHash('sha256').update(randomBytes(32)).digest('base64url');

function authorizeUrl(world: World, app: LoopbackServer, clientId: string, state: string, silent: boolean): string {
  const url = new URL('authorize', world.idp.issuer);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: `${app.origin}/callback`,
    response_type: 'code',
    scope: 'openid profile',
    state,
    nonce: `n-${state}`,
    code_challenge: challenge(),
    code_challenge_method: 'S256',
    ...(silent ? { prompt: 'none', response_mode: 'web_message' } : {}),
  }).toString();
  return url.href;
}

function harnessUrl(world: World, app: LoopbackServer, frames: Record<string, string>): string {
  return `${app.origin}/harness.html?${new URLSearchParams({ idp: new URL(world.idp.issuer).origin, ...frames })}`;
}

async function waitForMessage(page: Page, types: string[]): Promise<Message[]> {
  await page.waitForFunction(
    (wanted) => (window as unknown as { messages: Message[] }).messages.some((m) => wanted.includes(String(m?.type))),
    types,
  );
  return page.evaluate(() => (window as unknown as { messages: Message[] }).messages);
}

/** Waits until the IdP's clock (whole seconds) has passed `epochSeconds`. */
async function untilEpochPasses(page: Page, epochSeconds: number): Promise<void> {
  await page.waitForFunction((t) => Date.now() / 1000 >= t + 1, epochSeconds, { polling: 100 });
}

async function lastActive(world: World): Promise<number> {
  return (await world.idp.listSessions())[0]?.lastActiveAt ?? 0;
}

async function silent(world: World, page: Page, app: LoopbackServer, clientId: string): Promise<SilentOutcome> {
  const before = await lastActive(world);
  await untilEpochPasses(page, before);
  const mark = world.requests.length;
  await page.goto(harnessUrl(world, app, { silent: authorizeUrl(world, app, clientId, `s${mark}`, true) }));
  const messages = await waitForMessage(page, ['authorization_response']);
  const response = (messages.find((m) => m.type === 'authorization_response')?.response ?? {}) as Record<string, string>;
  return {
    messages: messages.map((m) => String(m.type)),
    result: response.code ? 'code' : (response.error ?? 'nothing'),
    idpSaw: world.requests
      .slice(mark)
      .filter((r) => r.path === '/authorize')
      .map(({ sessionCookie, storageAccess, followUp, activate, status }) => ({
        sessionCookie,
        storageAccess,
        followUp,
        activate,
        status,
      })),
    slid: (await lastActive(world)) > before,
  };
}

async function probe(world: World, page: Page, app: LoopbackServer): Promise<ProbeOutcome> {
  const url = new URL('__probe', world.idp.issuer);
  url.searchParams.set('parent', app.origin);
  await page.goto(harnessUrl(world, app, { probe: url.href }));
  const messages = await waitForMessage(page, ['probe']);
  const { type: _type, ...outcome } = messages.find((m) => m.type === 'probe') ?? {};
  return outcome as unknown as ProbeOutcome;
}

function buttonUrl(world: World, app: LoopbackServer, clientId: string): string {
  const url = new URL('storage-access', world.idp.issuer);
  url.search = new URLSearchParams({ client_id: clientId, redirect_uri: `${app.origin}/callback` }).toString();
  return url.href;
}

const buttonAnswers = ['storage_access_granted', 'storage_access_denied'];

async function signIn(world: World, page: Page): Promise<void> {
  await page.goto(authorizeUrl(world, world.appA, 'site-a', 'login', false));
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill('wonderland');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === world.appA.origin && url.pathname === '/callback');
}

async function storedGrants(world: World): Promise<Findings['storedGrants']> {
  // Chromium writes Preferences lazily and for sure on exit: close the browser first.
  await world.browser.context.close();
  const prefs = JSON.parse(await readFile(join(world.browser.profileDir, 'Default', 'Preferences'), 'utf8'));
  const exceptions = (prefs?.profile?.content_settings?.exceptions?.storage_access ?? {}) as Record<
    string,
    { setting?: number; lifetime?: string }
  >;
  const settings: Record<number, string> = { 1: 'allow', 2: 'block', 3: 'ask' };
  return Object.entries(exceptions).map(([pair, value]) => ({
    pair,
    setting: settings[value.setting ?? 0] ?? String(value.setting),
    lifetimeSeconds: Number(value.lifetime ?? 0) / 1e6,
  }));
}

export async function runExperiment(world: World): Promise<Findings> {
  const { context } = world.browser;
  const idpOrigin = new URL(world.idp.issuer).origin;
  const page = await context.newPage();
  await signIn(world, page);
  const cookie = (await context.cookies(idpOrigin)).find((c) => c.name === '_session');

  const topLevel = await page.evaluate(async (origin) => {
    const doc = document as Document & { requestStorageAccessFor?: (o: string) => Promise<void> };
    const requestStorageAccessFor =
      typeof doc.requestStorageAccessFor !== 'function'
        ? 'absent'
        : await doc.requestStorageAccessFor(origin).then(
            () => 'granted',
            (e: Error) => `rejected: ${e.name}`,
          );
    const topLevelPermission = await navigator.permissions
      .query({ name: 'top-level-storage-access', requestedOrigin: origin } as unknown as PermissionDescriptor)
      .then(
        (s) => s.state as string,
        (e: Error) => `query failed: ${e.name}`,
      );
    return { requestStorageAccessFor, topLevelPermission };
  }, idpOrigin);

  const beforeGrant = {
    silent: await silent(world, page, world.appA, 'site-a'),
    probeWithoutGesture: await probe(world, page, world.appA),
  };

  const call = await context.grantPermissions(['storage-access'], { origin: idpOrigin }).then(
    () => 'resolved',
    (e: Error) => `threw: ${e.message}`,
  );
  const playwrightGrantPermissions = { call, probe: await probe(world, page, world.appA) };
  await context.clearPermissions();

  // A trusted click inside the provider's frame: the gesture a first grant needs.
  await page.goto(harnessUrl(world, world.appA, { button: buttonUrl(world, world.appA, 'site-a') }));
  await page.frameLocator('#button').getByRole('button', { name: 'Stay signed in' }).click();
  const clicked = (await waitForMessage(page, buttonAnswers)).find((m) => buttonAnswers.includes(String(m.type)));
  const clickInFrame = { answer: clicked, probeAfter: await probe(world, page, world.appA) };

  let grantedBy: Findings['grantedBy'] = 'click';
  if (clicked?.type !== 'storage_access_granted') {
    // Headless Chromium shows no prompt; this is what "Allow" would have stored. The override
    // lives as long as this CDP session: detaching it would drop the grant again.
    grantedBy = 'cdp';
    const cdp = await context.newCDPSession(page);
    await cdp.send('Browser.setPermission', {
      permission: { name: 'storage-access' },
      setting: 'granted',
      origin: world.appA.origin,
      embeddedOrigin: idpOrigin,
    });
  }
  await page.goto(harnessUrl(world, world.appA, { button: buttonUrl(world, world.appA, 'site-a') }));
  const buttonAfterGrant = (await waitForMessage(page, buttonAnswers)).find((m) => buttonAnswers.includes(String(m.type)));
  const probeAfterGrant = await probe(world, page, world.appA);

  const silentHeaderFlow = await silent(world, page, world.appA, 'site-a');
  world.stripActivateHeader = true;
  const silentScriptFlow = await silent(world, page, world.appA, 'site-a');
  world.stripActivateHeader = false;
  // Each silent check loads the top-level page anew: this one is a third fresh document.
  const silentAfterReload = await silent(world, page, world.appA, 'site-a');
  const tab = await context.newPage();
  const silentInNewTab = await silent(world, tab, world.appA, 'site-a');
  const silentFromOtherSite = await silent(world, tab, world.appB, 'site-b');

  return {
    chromium: context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent)),
    sessionCookie: cookie && { sameSite: cookie.sameSite, secure: cookie.secure, httpOnly: cookie.httpOnly },
    topLevel,
    beforeGrant,
    playwrightGrantPermissions,
    clickInFrame,
    grantedBy,
    buttonAfterGrant,
    probeAfterGrant,
    silentHeaderFlow,
    silentScriptFlow,
    silentAfterReload,
    silentInNewTab,
    silentFromOtherSite,
    storedGrants: await storedGrants(world),
  };
}
