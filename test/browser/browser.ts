/**
 * One headless Chromium per test file, from npm alone: the binary ships in
 * @sparticuz/chromium and playwright-core drives it (TOOLCHAIN.md's recipe).
 * The package's flags that would weaken what the tests check are left out:
 * `--disable-web-security` (the same-origin policy) and
 * `--allow-running-insecure-content`; and `--single-process`, in which closing
 * one browser context ends the whole browser.
 */
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

const LEFT_OUT = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

export async function launchBrowser(): Promise<Browser> {
  const args = sparticuz.args.filter((a) => !LEFT_OUT.has(a));
  // As root, Chromium starts only without its sandbox.
  if (process.getuid?.() === 0 && !args.includes('--no-sandbox')) args.push('--no-sandbox');
  return chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: [...args, '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    headless: true,
  });
}
