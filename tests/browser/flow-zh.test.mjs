// The whole case flow in the web app, in Chinese (see lib/flow.mjs).
import { test } from 'node:test';
import { caseFlow } from './lib/flow.mjs';

test('一件事从随手拍到评价：居民上报、街道派遣、部门处置、网格员核查、居民评价、领导看板计数', () => caseFlow('zh', { tapMap: false }));
