// End-to-end tests in Debian's Chromium against `openlines serve --demo` (see e2e/fixtures/console-host.ts), plus
// the main-process engineer's Electron spec, which runs where the Electron runtime exists.
import { defineConfig } from '@playwright/test';

const chromiumArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // The machine has two cores: one host and one browser per worker is what it carries comfortably.
  workers: 2,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1400, height: 900 },
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /electron\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        headless: true,
        // `npx playwright install` cannot run here: use the distribution's Chromium.
        launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
      },
    },
    {
      name: 'electron',
      testMatch: /electron\.spec\.ts$/,
    },
  ],
});
