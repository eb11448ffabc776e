import { checkText, format } from '@sprout/dsl';
const t0 = process.cpuUsage();
const which = process.argv[2];
let text = '';
if (which === 'so') text = `experiment "x" {\n  train { epochs 10 }\n  grow sensli {\n    at epochs 2, 3, 5,\n${'    lr_factor 4.5\n    optimizer_state\n'.repeat(Number(process.argv[3] ?? 2568))}  }\n}\n`;
if (which === 'hang') text = `experiment "x" {\n network {\n input 2\n pool avg 1 ${'dense '.repeat(Number(process.argv[3] ?? 37879))}\n }\n}\n`;
if (which === 'hash') text = '#'.repeat(Number(process.argv[3] ?? 1000000));
try { const r = checkText(text); console.log(r._tag, r._tag === 'Left' ? r.left.length + ' ' + r.left[0].code + ' ' + r.left[0].message.slice(0,100) : ''); } catch (e) { console.log('THROW', String(e).slice(0,200)); }
const u = process.cpuUsage(t0); console.log('cpu ms', (u.user + u.system) / 1000);
