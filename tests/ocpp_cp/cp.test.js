// The test charge point's own checks (`node --test tests/ocpp_cp/`): cp.js as a child process
// against a small strict ocpp-rpc central system, so the charger the stationmgr tests trust
// is itself shown to queue offline, answer remote commands and keep its local list right.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { RPCServer } = require('ocpp-rpc');

const CP = path.join(__dirname, 'cp.js');

/** A strict 1.6 central system; `script(client)` runs once the charge point has booted. */
async function centralSystem({ password, onBoot } = {}) {
    const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
    const got = [];
    let nextTx = 500;
    server.auth((accept, reject, handshake) => {
        if (password && (!handshake.password || handshake.password.toString() !== password)) {
            return reject(401, 'Unauthorized');
        }
        accept();
    });
    server.on('client', (client) => {
        const now = () => new Date().toISOString();
        const record = (action, fn) => client.handle(action, ({ params }) => {
            got.push({ action, params });
            return fn(params);
        });
        record('BootNotification', () => {
            if (onBoot) setImmediate(() => onBoot(client).catch(() => {}));
            return { status: 'Accepted', interval: 60, currentTime: now() };
        });
        record('Heartbeat', () => ({ currentTime: now() }));
        record('StatusNotification', () => ({}));
        record('Authorize', (p) => ({ idTagInfo: { status: p.idTag === 'GOOD' ? 'Accepted' : 'Invalid' } }));
        record('StartTransaction', () => ({ transactionId: nextTx++, idTagInfo: { status: 'Accepted' } }));
        record('MeterValues', () => ({}));
        record('StopTransaction', () => ({}));
    });
    const http = await server.listen(0, '127.0.0.1');
    const url = `ws://127.0.0.1:${http.address().port}/ocpp`;
    return { server, got, url, close: () => server.close({ force: true }) };
}

function runCp(url, steps, extra = []) {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [CP, '--url', url, '--id', 'SELF-1', '--connectors', '2', ...extra]);
        let out = '', err = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { err += d; });
        child.on('close', (code) => resolve({
            code, stderr: err, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l)),
        }));
        child.stdin.end(JSON.stringify(steps));
    });
}

test('offline messages are replayed in order with their own timestamps and ids filled in', async () => {
    const cs = await centralSystem();
    try {
        const r = await runCp(cs.url, [
            { op: 'boot' },
            { op: 'authorize', idTag: 'NOPE' },
            { op: 'offline', steps: [
                { op: 'start', connector: 2, idTag: 'GOOD', meterStart: 100, timestamp: '2026-01-01T10:00:00Z', as: 'o' },
                { op: 'meter', connector: 2, tx: 'o', wh: [600], timestamp: '2026-01-01T10:30:00Z' },
                { op: 'stop', tx: 'o', meterStop: 900, reason: 'Local', timestamp: '2026-01-01T11:00:00Z' },
            ] },
            { op: 'stop', transactionId: 4242, meterStop: 1, reason: 'Other' },
        ]);
        assert.equal(r.code, 0, r.stderr);
        const auth = r.lines.find((l) => l.action === 'Authorize');
        assert.equal(auth.response.idTagInfo.status, 'Invalid');
        const tx = cs.got.filter((g) => g.action !== 'StatusNotification' && g.action !== 'BootNotification' && g.action !== 'Authorize');
        assert.deepEqual(tx.map((g) => g.action), ['StartTransaction', 'MeterValues', 'StopTransaction', 'StopTransaction']);
        assert.equal(tx[0].params.timestamp, '2026-01-01T10:00:00.000Z');
        assert.equal(tx[1].params.transactionId, 500);
        assert.equal(tx[2].params.transactionId, 500);
        assert.equal(tx[2].params.timestamp, '2026-01-01T11:00:00.000Z');
        assert.equal(tx[3].params.transactionId, 4242);
        assert.ok(r.lines.filter((l) => l.replayed).length >= 3);
    } finally {
        await cs.close();
    }
});

test('remote start and stop, local list and configuration are answered as a charger does', async () => {
    const answers = [];
    const cs = await centralSystem({
        onBoot: async (client) => {
            const ask = async (a, p) => { answers.push([a, await client.call(a, p)]); };
            await ask('SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [
                { idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B', idTagInfo: { status: 'Accepted' } }] });
            await ask('SendLocalList', { listVersion: 4, updateType: 'Differential', localAuthorizationList: [{ idTag: 'B' }] });
            await ask('SendLocalList', { listVersion: 4, updateType: 'Differential', localAuthorizationList: [] });
            await ask('GetLocalListVersion', {});
            await ask('ChangeConfiguration', { key: 'NumberOfConnectors', value: '9' });
            await ask('GetConfiguration', { key: ['HeartbeatInterval', 'Nope'] });
            try { await client.call('DataTransfer', { vendorId: 'x' }); } catch (e) { answers.push(['DataTransfer', { status: e.rpcErrorCode }]); }
            await ask('RemoteStartTransaction', { connectorId: 1, idTag: 'GOOD' });
        },
    });
    try {
        const r = await runCp(cs.url, [
            { op: 'boot' },
            { op: 'wait', action: 'RemoteStartTransaction' },
            { op: 'meter', connector: 1, tx: 'remote', wh: [2500] },
            { op: 'offline', steps: [{ op: 'authorize', idTag: 'A' }, { op: 'authorize', idTag: 'B' }] },
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(answers.map(([a, res]) => [a, res.status ?? res.listVersion]), [
            ['SendLocalList', 'Accepted'], ['SendLocalList', 'Accepted'], ['SendLocalList', 'VersionMismatch'],
            ['GetLocalListVersion', 4], ['ChangeConfiguration', 'Rejected'], ['GetConfiguration', undefined],
            ['DataTransfer', 'NotImplemented'], ['RemoteStartTransaction', 'Accepted'],
        ]);
        assert.ok(r.lines.some((l) => l.type === 'received' && l.action === 'DataTransfer' && l.error.code === 'NotImplemented'));
        assert.deepEqual(answers[5][1].unknownKey, ['Nope']);
        assert.deepEqual(r.lines.filter((l) => l.type === 'local_authorize').map((l) => l.accepted), [true, false]);
        const start = cs.got.find((g) => g.action === 'StartTransaction');
        assert.equal(start.params.idTag, 'GOOD');
        assert.equal(start.params.connectorId, 1);
        const meter = cs.got.find((g) => g.action === 'MeterValues');
        assert.equal(meter.params.transactionId, 500);
    } finally {
        await cs.close();
    }
    // Remote stop: the charger accepts and sends StopTransaction with reason Remote.
    let stopAnswer;
    const cs2 = await centralSystem({
        onBoot: async (client) => {
            await client.call('RemoteStartTransaction', { connectorId: 2, idTag: 'GOOD' });
            await new Promise((res) => setTimeout(res, 50));
            while (!cs2.got.some((g) => g.action === 'StartTransaction')) await new Promise((res) => setTimeout(res, 20));
            stopAnswer = await client.call('RemoteStopTransaction', { transactionId: 500 });
        },
    });
    try {
        const r = await runCp(cs2.url, [
            { op: 'boot' }, { op: 'wait', action: 'RemoteStartTransaction' }, { op: 'wait', action: 'RemoteStopTransaction' },
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(stopAnswer.status, 'Accepted');
        const stop = cs2.got.find((g) => g.action === 'StopTransaction');
        assert.equal(stop.params.transactionId, 500);
        assert.equal(stop.params.reason, 'Remote');
    } finally {
        await cs2.close();
    }
});

test('a refused password is exit status 3 with one line', async () => {
    const cs = await centralSystem({ password: 'right' });
    try {
        const bad = await runCp(cs.url, [{ op: 'boot' }], ['--password', 'wrong']);
        assert.equal(bad.code, 3);
        assert.match(bad.stderr, /^cp: refused: HTTP 401[^\n]*\n$/);
        assert.deepEqual(bad.lines, []);
        const good = await runCp(cs.url, [{ op: 'boot' }], ['--password', 'right']);
        assert.equal(good.code, 0, good.stderr);
    } finally {
        await cs.close();
    }
});
