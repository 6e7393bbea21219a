// Lighthouse on several pages from one Node process and one Chrome (tests/test_lighthouse.py).
//
// For each page it does what `lighthouse <url> <cli arguments> --output-path=<report.json>` does
// (lighthouse/cli/bin.js and run.js): the arguments parsed by Lighthouse's own CLI parser, the
// default config (mobile, simulated throttling; the origin's storage and cache reset before each
// run), the run, the report saved by the CLI's own saveResults. Only the Chrome is shared: launched
// once here with the arguments' --chrome-flags, as the CLI launches it for each page, instead of a
// Node start-up and a Chrome launch per page. A page whose run fails gets no report (the others still
// run); the exit status says whether any failed.
//
// usage: node lighthouse_runs.mjs <node_modules> <cli arguments as a JSON list> <url> <report.json> [<url> <report.json> ...]
import {pathToFileURL} from 'node:url';

const [modules, cliArgs, ...pairs] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(`${modules}/${path}`).href);
const {getFlags} = await load('lighthouse/cli/cli-flags.js');
const {parseChromeFlags, saveResults} = await load('lighthouse/cli/run.js');
const {default: lighthouse} = await load('lighthouse/core/index.js');
const {default: log} = await load('lighthouse-logger/index.js');
const ChromeLauncher = await load('chrome-launcher/dist/index.js');

const args = JSON.parse(cliArgs);
const first = getFlags([pairs[0], ...args]);
const chrome = await ChromeLauncher.launch({
  ignoreDefaultFlags: first.chromeIgnoreDefaultFlags, chromeFlags: parseChromeFlags(first.chromeFlags),
});
let failed = 0;
try {
  for (let i = 0; i < pairs.length; i += 2) {
    const [url, out] = [pairs[i], pairs[i + 1]];
    const flags = getFlags([url, ...args, `--output-path=${out}`]);
    flags.logLevel = flags.verbose ? 'verbose' : flags.quiet ? 'silent' : 'info';  // as bin.js sets it
    log.setLevel(flags.logLevel);
    flags.port = chrome.port;
    flags.channel = 'cli';
    try {
      const result = await lighthouse(url, flags, undefined);
      if (!result) throw new Error('no result');
      await saveResults(result, flags);
      if (result.lhr.runtimeError) throw new Error(result.lhr.runtimeError.message);
    } catch (err) {
      failed += 1;
      process.stderr.write(`${url}: ${err.stack || err}\n`);
    }
  }
} finally {
  chrome.kill();
}
process.exit(failed ? 1 : 0);
