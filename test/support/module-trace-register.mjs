// `node --import` this file to record every module the process resolves into MODULE_TRACE_FILE.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url, { data: { file: process.env.MODULE_TRACE_FILE } });
