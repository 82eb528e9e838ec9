/**
 * Fault hooks around the REAL engine for the panel's browser test. The panel's Node side starts this as its engine
 * (`node <wrapper>.js serve`, with the clean env it gives every engine); it starts `node <engine> serve` and passes the
 * JSON lines through both ways, except where the control file asks for a fault on a `propagate` command:
 *
 * - "pass"               forward as is.
 * - "crash"              forward; at the engine's first progress event for that run, SIGKILL the engine (nothing
 *                        after that event reaches the panel), print an error line on stderr and exit 3 — a crash
 *                        mid-run, before the engine could commit anything.
 * - "hold-until-cancel"  keep the propagate command back until the panel sends `cancel` for it, then hand the engine
 *                        both lines at once. The engine therefore always receives the cancel while that run is in
 *                        flight, however fast it is: a deterministic cancel for a tiny clip.
 *
 * The control file is read at each propagate command (the test switches modes between runs); every fault applied is
 * appended as a JSON line to `<control>.log`, so the test can check that the hook fired.
 *
 * The wrapper the test writes calls `run({ engine, control })`; the clean env means settings cannot come in by env.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');

function run({ engine, control }) {
  const child = spawn(process.execPath, [engine, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
  const log = (entry) => fs.appendFileSync(`${control}.log`, `${JSON.stringify({ at: Date.now(), ...entry })}\n`);
  const readMode = () => {
    try {
      return JSON.parse(fs.readFileSync(control, 'utf8')).propagate || 'pass';
    } catch {
      return 'pass';
    }
  };
  const crashing = new Set();
  const held = new Map(); // propagate command id -> its line
  let dead = false;

  lines(process.stdin, (line) => {
    let command = null;
    try {
      command = JSON.parse(line);
    } catch {
      // not ours to judge: the engine answers malformed lines itself
    }
    if (command && command.cmd === 'propagate') {
      const mode = readMode();
      if (mode === 'crash') {
        crashing.add(command.id);
        log({ fault: 'crash-armed', id: command.id });
      } else if (mode === 'hold-until-cancel') {
        held.set(command.id, line);
        log({ fault: 'held', id: command.id });
        return;
      }
    }
    if (command && command.cmd === 'cancel' && held.has(command.target)) {
      const propagate = held.get(command.target);
      held.delete(command.target);
      log({ fault: 'released-with-cancel', id: command.target });
      child.stdin.write(`${propagate}\n${line}\n`);
      return;
    }
    child.stdin.write(`${line}\n`);
  });
  process.stdin.on('end', () => child.stdin.end());

  lines(child.stdout, (line) => {
    if (dead) return;
    process.stdout.write(`${line}\n`);
    let event = null;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    if (event && event.event === 'progress' && crashing.has(event.id)) {
      dead = true;
      child.kill('SIGKILL');
      log({ fault: 'crashed', id: event.id, stage: event.stage, done: event.done, total: event.total });
      process.stderr.write('    at Object.<anonymous> (engine-proxy.js:1:1)\n');
      process.stderr.write('Error: simulated engine crash mid-run (engine process killed by the test)\n');
      process.exit(3);
    }
  });
  child.stderr.on('data', (chunk) => {
    if (!dead) process.stderr.write(chunk);
  });
  child.on('exit', (code, signal) => {
    if (!dead) process.exit(code === null ? (signal ? 1 : 0) : code);
  });
}

function lines(stream, onLine) {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) onLine(line);
    }
  });
}

module.exports = { run };
