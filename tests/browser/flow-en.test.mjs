// The whole case flow in the web app, in English, the place set by a tap on
// the map instead of the phone's location (see lib/flow.mjs).
import { test } from 'node:test';
import { caseFlow } from './lib/flow.mjs';

test('a case from report to rating in English, the place tapped on the map', () => caseFlow('en', { tapMap: true }));
