#!/usr/bin/env node
// An OCPP 1.6J charge point for stationmgr's tests, built on the npm library ocpp-rpc (strict
// mode: every message in both directions is checked against the official 1.6 JSON schemas),
// so our central system is tested against code we did not write.
//
//   node cp.js --url ws://HOST:PORT/ocpp --id CPID [--password PW] [--connectors N]
//   (a step {"op":"mute","action":A} leaves the next call A from the central system unanswered)
//              [--script FILE|-] [--state FILE]
//
// --state keeps what a real charger keeps across restarts — its local authorisation list
// (version and entries) and its charging profiles — in FILE (JSON), read at start and
// written at every change.
// The script (a JSON array of steps, from FILE or stdin) is run in order; each call sent
// prints one JSON line {"type":"call",action,request,response|error}, each call received from
// the central system one line {"type":"received",action,request,response|error}; a local list
// taken prints {"type":"local_list",version,updateType,idTags,entries}, a charging profile
// taken {"type":"charging_profile",connectorId,purpose,limit,unit,transactionId}, and an
// authorisation while offline {"type":"local_authorize",idTag,idTagInfo,accepted}. Exit status:
// 0 the script completed, 1 a failure (one line on stderr), 2 bad arguments or script,
// 3 the connection was refused with HTTP 401, 4 a message failed schema validation.
'use strict';

const fs = require('fs');
const { RPCClient, createRPCError } = require('ocpp-rpc');

const EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_UNAUTHORIZED = 3, EXIT_SCHEMA = 4;

class Fatal extends Error {
    constructor(message, code = EXIT_FAIL) { super(message); this.exitCode = code; }
}

function parseArgs(argv) {
    const opts = { connectors: 1, script: '-', password: null, timeout: 30, state: null };
    for (let i = 0; i < argv.length; i++) {
        const key = argv[i];
        const value = argv[i + 1];
        if (!key.startsWith('--') || value === undefined) throw new Fatal(`bad argument ${key}`, EXIT_USAGE);
        i++;
        switch (key) {
            case '--url': opts.url = value.replace(/\/+$/, ''); break;
            case '--id': opts.id = value; break;
            case '--password': opts.password = value; break;
            case '--connectors': opts.connectors = parseInt(value, 10); break;
            case '--script': opts.script = value; break;
            case '--timeout': opts.timeout = parseFloat(value); break;
            case '--state': opts.state = value; break;
            default: throw new Fatal(`unknown option ${key}`, EXIT_USAGE);
        }
    }
    if (!opts.url || !opts.id) throw new Fatal('--url and --id are required', EXIT_USAGE);
    if (!(opts.connectors >= 1)) throw new Fatal('--connectors must be >= 1', EXIT_USAGE);
    return opts;
}

function emit(line) { process.stdout.write(JSON.stringify(line) + '\n'); }

/** A timestamp: an ISO string as given, a number = seconds from now (negative: the past). */
function stamp(ts, offsetS = 0) {
    if (typeof ts === 'string') return new Date(new Date(ts).getTime() + offsetS * 1000).toISOString();
    const rel = typeof ts === 'number' ? ts : 0;
    return new Date(Date.now() + (rel + offsetS) * 1000).toISOString();
}

function errorLine(err) {
    return { code: err.rpcErrorCode || err.name || 'Error', description: err.rpcErrorMessage || err.message };
}

class ChargePoint {
    constructor(opts) {
        this.opts = opts;
        this.client = null;
        this.online = false;
        this.queue = [];               // messages kept while offline: {action, build()}
        this.tx = new Map();           // script name -> transactionId (once the CS assigned it)
        this.active = new Map();       // transactionId -> {connector, name}
        this.connectors = [];
        for (let c = 0; c <= opts.connectors; c++) {
            this.connectors.push({ status: 'Available', meterWh: 0, txId: null, available: true });
        }
        this.localList = { version: 0, entries: new Map() };
        this.profiles = [];
        this.listAnswers = [];         // scripted SendLocalList answers (a charger's faults)
        this.loadState();
        this.config = new Map([
            ['HeartbeatInterval', { value: '300', readonly: false }],
            ['MeterValueSampleInterval', { value: '60', readonly: false }],
            ['MeterValuesSampledData', { value: 'Energy.Active.Import.Register', readonly: false }],
            ['ClockAlignedDataInterval', { value: '0', readonly: false }],
            ['ConnectionTimeOut', { value: '60', readonly: false }],
            ['AuthorizeRemoteTxRequests', { value: 'false', readonly: false }],
            ['LocalAuthorizeOffline', { value: 'true', readonly: false }],
            ['LocalAuthListEnabled', { value: 'true', readonly: false }],
            ['LocalAuthListMaxLength', { value: '100', readonly: true }],
            ['SendLocalListMaxLength', { value: '100', readonly: true }],
            ['NumberOfConnectors', { value: String(opts.connectors), readonly: true }],
            ['SupportedFeatureProfiles', { value: 'Core,LocalAuthListManagement,RemoteTrigger,SmartCharging', readonly: true }],
            ['ChargeProfileMaxStackLevel', { value: '10', readonly: true }],
        ]);
        this.received = [];            // {action, done: Promise} in arrival order
        this.waited = 0;               // how many received calls `wait` steps have consumed
        this.remoteStarts = 0;
        this.schemaFailures = 0;
        this.chain = Promise.resolve(); // follow-up actions after answering a call, in order
        this.muted = new Set();        // actions whose next call from the central system gets no answer
        this.unanswered = 0;           // such calls received (the close then does not wait for them)
    }

    // --- what a charger keeps across restarts (--state) ------------------------------------

    loadState() {
        if (!this.opts.state || !fs.existsSync(this.opts.state)) return;
        let saved;
        try { saved = JSON.parse(fs.readFileSync(this.opts.state, 'utf8')); } catch (err) {
            throw new Fatal(`--state ${this.opts.state}: ${err.message}`, EXIT_USAGE);
        }
        this.localList = { version: saved.listVersion ?? 0, entries: new Map(Object.entries(saved.localList || {})) };
        this.profiles = Array.isArray(saved.profiles) ? saved.profiles : [];
    }

    saveState() {
        if (!this.opts.state) return;
        const saved = { listVersion: this.localList.version, localList: Object.fromEntries(this.localList.entries),
                        profiles: this.profiles };
        fs.writeFileSync(this.opts.state, JSON.stringify(saved));
    }

    // --- the connection ---------------------------------------------------------------------

    async connect() {
        const client = new RPCClient({
            endpoint: this.opts.url,
            identity: this.opts.id,
            password: this.opts.password,
            protocols: ['ocpp1.6'],
            strictMode: true,
            reconnect: false,
            callTimeoutMs: this.opts.timeout * 1000,
        });
        client.on('strictValidationFailure', (ev) => {
            this.schemaFailures++;
            emit({ type: 'schema_failure', action: ev.method, outbound: ev.outbound,
                   isCall: ev.isCall, error: ev.error && ev.error.message });
        });
        client.on('close', () => {
            if (this.client === client) this.online = false;
        });
        this.registerHandlers(client);
        try {
            await client.connect();
        } catch (err) {
            if (err.code === 401) throw new Fatal(`refused: HTTP 401 ${err.message}`.trim(), EXIT_UNAUTHORIZED);
            if (err.code) throw new Fatal(`refused: HTTP ${err.code} ${err.message}`.trim());
            throw new Fatal(`cannot connect to ${this.opts.url}/${this.opts.id}: ${err.message}`);
        }
        if (client.protocol !== 'ocpp1.6') {
            await client.close({ force: true });
            throw new Fatal(`the central system did not accept subprotocol ocpp1.6 (got ${client.protocol || 'none'})`);
        }
        this.client = client;
        this.online = true;
        emit({ type: 'connected', url: `${this.opts.url}/${this.opts.id}` });
    }

    async disconnect() {
        const client = this.client;
        this.online = false;
        if (client) await client.close({ code: 1000, awaitPending: true });
        emit({ type: 'disconnected' });
    }

    /** Send a call now (online) and print it; the response, or null after a CallError. */
    async call(action, request, extra = {}) {
        if (!this.online) throw new Fatal(`${action}: not connected`);
        try {
            const response = await this.client.call(action, request);
            emit({ type: 'call', action, request, response, ...extra });
            return response;
        } catch (err) {
            emit({ type: 'call', action, request, error: errorLine(err), ...extra });
            if (err.name === 'TimeoutError') throw new Fatal(`${action}: no response in ${this.opts.timeout} s`);
            if (!this.online || (err.message || '').includes('socket not open')) {
                throw new Fatal(`${action}: the connection closed`);
            }
            return null;
        }
    }

    /** A transaction-related message: sent now when online, else kept (with its timestamp)
     *  and sent in order on reconnect, as a charger's offline queue does. */
    async send(action, build, after = () => {}) {
        if (this.online) {
            const res = await this.call(action, build());
            after(res);
            return res;
        }
        this.queue.push({ action, build, after });
        emit({ type: 'queued', action });
        return undefined;
    }

    async replay() {
        const pending = this.queue;
        this.queue = [];
        for (const item of pending) {
            const res = await this.call(item.action, item.build(), { replayed: true });
            item.after(res);
        }
    }

    // --- transaction bookkeeping -------------------------------------------------------------

    txIdOf(step) {
        if (typeof step.transactionId === 'number') return step.transactionId;
        const name = step.tx;
        if (name === undefined) throw new Fatal(`step needs "tx" or "transactionId": ${JSON.stringify(step)}`, EXIT_USAGE);
        if (!this.tx.has(name)) throw new Fatal(`transaction "${name}" has no id (its StartTransaction failed?)`);
        return this.tx.get(name);
    }

    connectorOf(step) {
        const c = step.connector ?? 1;
        if (!(c >= 1 && c <= this.opts.connectors)) throw new Fatal(`no connector ${c}`, EXIT_USAGE);
        return c;
    }

    async status(connector, status, extra = {}) {
        this.connectors[connector].status = status;
        await this.send('StatusNotification', () => ({
            connectorId: connector,
            errorCode: extra.errorCode || 'NoError',
            status,
            timestamp: stamp(extra.timestamp),
            ...(extra.info ? { info: extra.info } : {}),
            ...(extra.vendorErrorCode ? { vendorErrorCode: extra.vendorErrorCode } : {}),
        }));
    }

    async startTransaction(connector, idTag, meterStart, timestamp, name) {
        const conn = this.connectors[connector];
        conn.meterWh = meterStart;
        conn.txName = name;
        const when = stamp(timestamp);
        await this.send('StartTransaction', () => ({
            connectorId: connector, idTag, meterStart, timestamp: when,
        }), (res) => {
            if (res && typeof res.transactionId === 'number') {
                this.tx.set(name, res.transactionId);
                this.active.set(res.transactionId, { connector, name });
                if (conn.txName === name) conn.txId = res.transactionId;
            }
        });
        await this.status(connector, 'Charging', { timestamp });
    }

    async stopTransaction({ txRef, connector, meterStop, reason, timestamp, idTag, transactionData }) {
        const when = stamp(timestamp);
        await this.send('StopTransaction', () => {
            const id = typeof txRef === 'function' ? txRef() : txRef;
            return {
                transactionId: id, meterStop, timestamp: when,
                ...(reason ? { reason } : {}), ...(idTag ? { idTag } : {}),
                ...(transactionData ? { transactionData } : {}),
            };
        }, () => {
            const id = typeof txRef === 'function' ? txRef() : txRef;
            this.active.delete(id);
        });
        if (connector) {
            const conn = this.connectors[connector];
            conn.txId = null;
            conn.txName = null;
            if (conn.available) await this.status(connector, 'Finishing', { timestamp });
        }
    }

    // --- script steps ------------------------------------------------------------------------

    async run(steps) {
        for (const step of steps) await this.step(step);
        await this.chain;
    }

    async step(step) {
        switch (step.op) {
            case 'connect': return this.connect();
            case 'disconnect': return this.disconnect();
            case 'boot': {
                const res = await this.call('BootNotification', {
                    chargePointVendor: step.vendor || 'stationmgr-tests',
                    chargePointModel: step.model || 'ocpp-rpc-cp',
                    chargePointSerialNumber: step.serial || this.opts.id,
                    firmwareVersion: '1.0.0',
                });
                if (res && res.interval > 0) this.config.get('HeartbeatInterval').value = String(res.interval);
                return;
            }
            case 'heartbeat': return this.call('Heartbeat', {});
            case 'status': {
                const c = step.connector ?? 1;
                return this.status(c, step.status || 'Available', step);
            }
            case 'authorize': {
                if (!this.online) return this.localAuthorize(step.idTag);
                return this.call('Authorize', { idTag: step.idTag });
            }
            case 'start': {
                const c = this.connectorOf(step);
                const name = step.as || `tx${this.tx.size + 1}`;
                return this.startTransaction(c, step.idTag, step.meterStart ?? this.connectors[c].meterWh,
                                             step.timestamp, name);
            }
            case 'meter': return this.meter(step);
            case 'stop': {
                let connector = step.connector;
                let txRef;
                if (typeof step.transactionId === 'number') {
                    txRef = step.transactionId;
                } else {
                    const name = step.tx;
                    if (connector === undefined) {
                        connector = this.connectors.findIndex((cn) => cn.txName === name || (cn.txId !== null && this.tx.get(name) === cn.txId));
                        if (connector < 1) connector = undefined;
                    }
                    txRef = () => this.txIdOf({ tx: name });
                }
                const meterStop = step.meterStop ?? (connector ? this.connectors[connector].meterWh : 0);
                return this.stopTransaction({ txRef, connector, meterStop, reason: step.reason,
                                              timestamp: step.timestamp, idTag: step.idTag,
                                              transactionData: step.transactionData });
            }
            case 'offline': {
                await this.disconnect();
                for (const inner of step.steps || []) await this.step(inner);
                await this.connect();
                return this.replay();
            }
            case 'wait': return this.wait(step.action, step.timeout ?? this.opts.timeout);
            case 'wait_offline': return this.waitOffline(step.timeout ?? this.opts.timeout);
            case 'list_answers': {  // the next SendLocalList calls are answered so, in order
                const ok = ['Accepted', 'Failed', 'NotSupported', 'VersionMismatch'];
                if (!Array.isArray(step.statuses) || step.statuses.some((s) => !ok.includes(s))) {
                    throw new Fatal(`list_answers: statuses among ${ok.join(', ')}`, EXIT_USAGE);
                }
                this.listAnswers.push(...step.statuses);
                return;
            }
            case 'config': {  // how this charger is built (a read-only key too), not a call
                const item = this.config.get(step.key);
                if (!item || step.value === undefined) throw new Fatal(`config: no key ${step.key}`, EXIT_USAGE);
                item.value = String(step.value);
                return;
            }
            case 'sleep': return new Promise((r) => setTimeout(r, (step.seconds ?? 1) * 1000));
            case 'call': return this.call(step.action, step.payload || {});
            case 'mute': this.muted.add(step.action); return undefined;
            default: throw new Fatal(`unknown step ${JSON.stringify(step)}`, EXIT_USAGE);
        }
    }

    async meter(step) {
        const c = this.connectorOf(step);
        const values = Array.isArray(step.wh) ? step.wh : [step.wh];
        const interval = step.interval ?? 60;
        for (let i = 0; i < values.length; i++) {
            const wh = values[i];
            const txRef = step.tx !== undefined || step.transactionId !== undefined ? step : null;
            const ts = step.timestamp === undefined ? undefined : step.timestamp;
            const when = ts === undefined ? null : stamp(ts, i * interval);
            this.connectors[c].meterWh = wh;
            await this.send('MeterValues', () => {
                const sampled = [{
                    value: step.unit === 'kWh' ? String(wh / 1000) : String(wh),
                    context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register',
                    unit: step.unit === 'kWh' ? 'kWh' : 'Wh',
                }];
                if (step.power !== undefined) {
                    sampled.push({ value: String(step.power), context: 'Sample.Periodic',
                                   measurand: 'Power.Active.Import', unit: 'W' });
                }
                if (step.soc !== undefined) {
                    sampled.push({ value: String(step.soc), context: 'Sample.Periodic',
                                   measurand: 'SoC', unit: 'Percent', location: 'EV' });
                }
                const req = { connectorId: c, meterValue: [{ timestamp: when || stamp(), sampledValue: sampled }] };
                if (txRef) req.transactionId = this.txIdOf(txRef);
                return req;
            });
        }
    }

    /** Authorise from the local list, as a charger does while it cannot reach the central
     *  system: Accepted only for a listed Accepted entry whose expiryDate has not passed. */
    localAuthorize(idTag) {
        const entry = this.localList.entries.get(idTag);
        let status = entry ? entry.status : 'Invalid';
        if (entry && entry.expiryDate && new Date(entry.expiryDate).getTime() < Date.now()) status = 'Expired';
        emit({ type: 'local_authorize', idTag, idTagInfo: entry ? { ...entry, status } : { status: 'Invalid' },
               listVersion: this.localList.version, accepted: status === 'Accepted' });
    }

    /** Until the central system has gone away (it closed the connection or stopped). */
    waitOffline(timeoutS) {
        return new Promise((resolve, reject) => {
            const deadline = Date.now() + timeoutS * 1000;
            const poll = () => {
                if (!this.online) { emit({ type: 'offline' }); return resolve(); }
                if (Date.now() > deadline) return reject(new Fatal(`still connected after ${timeoutS} s`));
                setTimeout(poll, 20);
            };
            poll();
        });
    }

    wait(action, timeoutS) {
        return new Promise((resolve, reject) => {
            const deadline = Date.now() + timeoutS * 1000;
            const poll = () => {
                for (let i = this.waited; i < this.received.length; i++) {
                    if (!action || this.received[i].action === action) {
                        this.waited = i + 1;
                        return this.received[i].done.then(resolve, reject);
                    }
                }
                if (Date.now() > deadline) return reject(new Fatal(`no ${action || 'call'} from the central system in ${timeoutS} s`));
                if (!this.online) return reject(new Fatal(`waiting for ${action}: the connection closed`));
                setTimeout(poll, 20);
            };
            poll();
        });
    }

    // --- calls from the central system ---------------------------------------------------

    registerHandlers(client) {
        const handlers = {
            RemoteStartTransaction: (p) => this.onRemoteStart(p),
            RemoteStopTransaction: (p) => this.onRemoteStop(p),
            ChangeAvailability: (p) => this.onChangeAvailability(p),
            SendLocalList: (p) => this.onSendLocalList(p),
            GetLocalListVersion: () => [{
                listVersion: this.config.get('LocalAuthListEnabled').value === 'true' ? this.localList.version : -1 }],
            SetChargingProfile: (p) => this.onSetChargingProfile(p),
            ClearChargingProfile: () => { this.profiles = []; return [{ status: 'Accepted' }]; },
            ChangeConfiguration: (p) => this.onChangeConfiguration(p),
            GetConfiguration: (p) => this.onGetConfiguration(p),
            Reset: (p) => this.onReset(p),
            UnlockConnector: (p) => this.onUnlock(p),
            TriggerMessage: (p) => this.onTrigger(p),
            ClearCache: () => [{ status: 'Accepted' }],
        };
        for (const [action, fn] of Object.entries(handlers)) {
            client.handle(action, ({ params }) => {
                if (this.muted.delete(action)) {  // a charger that never answers: the CS must time out
                    emit({ type: 'received', action, request: params, muted: true });
                    this.received.push({ action, done: Promise.resolve() });
                    this.unanswered++;
                    return new Promise(() => {});
                }
                let finish;
                const done = new Promise((r) => { finish = r; });
                this.received.push({ action, done });
                let response, followUp;
                try {
                    [response, followUp] = fn(params);
                } catch (err) {
                    emit({ type: 'received', action, request: params, error: errorLine(err) });
                    finish();
                    throw err;
                }
                emit({ type: 'received', action, request: params, response });
                // the follow-up (e.g. StartTransaction after RemoteStart) goes after our answer
                this.chain = this.chain.then(() => new Promise((r) => setImmediate(r)))
                    .then(() => (followUp ? followUp() : undefined))
                    .then(finish, (err) => { finish(); this.fail(err); });
                return response;
            });
        }
        // Anything else (DataTransfer, GetDiagnostics, ReserveNow, ...): NotImplemented, printed.
        client.handle(({ method, params }) => {
            const err = createRPCError('NotImplemented', `this charge point does not implement ${method}`);
            emit({ type: 'received', action: method, request: params, error: errorLine(err) });
            throw err;
        });
    }

    onRemoteStart(p) {
        const c = p.connectorId ?? this.connectors.findIndex((cn, i) => i > 0 && cn.txId === null && cn.available);
        const conn = this.connectors[c];
        if (!(c >= 1) || !conn || conn.txId !== null || conn.txName || !conn.available) return [{ status: 'Rejected' }];
        if (p.chargingProfile) this.profiles.push({ connectorId: c, ...p.chargingProfile });
        this.remoteStarts++;
        const name = this.remoteStarts === 1 ? 'remote' : `remote${this.remoteStarts}`;
        conn.txName = name;
        return [{ status: 'Accepted' }, async () => {
            if (this.config.get('AuthorizeRemoteTxRequests').value === 'true') {
                const res = await this.call('Authorize', { idTag: p.idTag });
                if (!res || res.idTagInfo.status !== 'Accepted') { conn.txName = null; return; }
            }
            await this.startTransaction(c, p.idTag, conn.meterWh, undefined, name);
        }];
    }

    onRemoteStop(p) {
        const t = this.active.get(p.transactionId);
        if (!t) return [{ status: 'Rejected' }];
        return [{ status: 'Accepted' }, () => this.stopTransaction({
            txRef: p.transactionId, connector: t.connector,
            meterStop: this.connectors[t.connector].meterWh, reason: 'Remote',
        })];
    }

    onChangeAvailability(p) {
        const targets = p.connectorId === 0
            ? this.connectors.map((_, i) => i).filter((i) => i > 0) : [p.connectorId];
        if (targets.some((c) => !this.connectors[c])) return [{ status: 'Rejected' }];
        const busy = targets.some((c) => this.connectors[c].txId !== null);
        const available = p.type === 'Operative';
        return [{ status: busy ? 'Scheduled' : 'Accepted' }, async () => {
            for (const c of targets) {
                if (this.connectors[c].txId !== null) continue;  // applies once the transaction ends
                this.connectors[c].available = available;
                await this.status(c, available ? 'Available' : 'Unavailable');
            }
        }];
    }

    onSendLocalList(p) {
        const scripted = this.listAnswers.shift();
        if (scripted && scripted !== 'Accepted') return [{ status: scripted }];
        const max = parseInt(this.config.get('SendLocalListMaxLength').value, 10);
        const cap = parseInt(this.config.get('LocalAuthListMaxLength').value, 10);
        const list = p.localAuthorizationList || [];
        if (list.length > max) return [{ status: 'Failed' }];
        if (p.updateType === 'Differential' && p.listVersion <= this.localList.version) {
            return [{ status: 'VersionMismatch' }];
        }
        const entries = p.updateType === 'Full' ? new Map() : new Map(this.localList.entries);
        for (const item of list) {
            if (item.idTagInfo) entries.set(item.idTag, item.idTagInfo);
            else entries.delete(item.idTag);
        }
        if (entries.size > cap) return [{ status: 'Failed' }];
        this.localList = { version: p.listVersion, entries };
        this.saveState();
        emit({ type: 'local_list', version: p.listVersion, updateType: p.updateType,
               idTags: [...entries.keys()].sort(), entries: Object.fromEntries(entries) });
        return [{ status: 'Accepted' }];
    }

    onSetChargingProfile(p) {
        if (p.connectorId > this.opts.connectors) return [{ status: 'Rejected' }];
        const prof = p.csChargingProfiles;
        const purpose = prof.chargingProfilePurpose;
        const conn = this.connectors[p.connectorId];
        if (purpose === 'ChargePointMaxProfile' && p.connectorId !== 0) return [{ status: 'Rejected' }];
        if (purpose === 'TxProfile') {
            // only for the connector's transaction (its StartTransaction may still await our
            // reading of the answer that gave it its id)
            if (p.connectorId === 0 || !conn || (conn.txId === null && !conn.txName)) return [{ status: 'Rejected' }];
            if (prof.transactionId !== undefined && conn.txId !== null && prof.transactionId !== conn.txId) {
                return [{ status: 'Rejected' }];
            }
        }
        const periods = prof.chargingSchedule.chargingSchedulePeriod;
        emit({ type: 'charging_profile', connectorId: p.connectorId, purpose,
               limit: Math.max(...periods.map((x) => x.limit)), unit: prof.chargingSchedule.chargingRateUnit,
               transactionId: prof.transactionId ?? null, chargingProfileId: prof.chargingProfileId });
        this.profiles = this.profiles.filter((x) => !(x.chargingProfileId === prof.chargingProfileId
            || (x.connectorId === p.connectorId && x.stackLevel === prof.stackLevel
                && x.chargingProfilePurpose === prof.chargingProfilePurpose)));
        this.profiles.push({ connectorId: p.connectorId, ...prof });
        this.saveState();
        return [{ status: 'Accepted' }];
    }

    onChangeConfiguration(p) {
        const item = this.config.get(p.key);
        if (!item) return [{ status: 'NotSupported' }];
        if (item.readonly) return [{ status: 'Rejected' }];
        item.value = p.value;
        return [{ status: 'Accepted' }];
    }

    onGetConfiguration(p) {
        const keys = p.key && p.key.length ? p.key : [...this.config.keys()];
        const configurationKey = [];
        const unknownKey = [];
        for (const k of keys) {
            const item = this.config.get(k);
            if (item) configurationKey.push({ key: k, readonly: item.readonly, value: item.value });
            else unknownKey.push(k);
        }
        return [{ configurationKey, ...(unknownKey.length ? { unknownKey } : {}) }];
    }

    onReset(p) {
        const reason = p.type === 'Hard' ? 'HardReset' : 'SoftReset';
        return [{ status: 'Accepted' }, async () => {
            for (const [id, t] of [...this.active]) {
                await this.stopTransaction({ txRef: id, connector: t.connector,
                                             meterStop: this.connectors[t.connector].meterWh, reason });
            }
            await this.step({ op: 'boot' });
            for (let c = 1; c <= this.opts.connectors; c++) {
                await this.status(c, this.connectors[c].available ? 'Available' : 'Unavailable');
            }
        }];
    }

    onUnlock(p) {
        const conn = this.connectors[p.connectorId];
        if (!(p.connectorId >= 1) || !conn) return [{ status: 'NotSupported' }];
        const id = conn.txId;
        return [{ status: 'Unlocked' }, id === null ? null : () => this.stopTransaction({
            txRef: id, connector: p.connectorId, meterStop: conn.meterWh, reason: 'UnlockCommand',
        })];
    }

    onTrigger(p) {
        const c = p.connectorId;
        const follow = {
            BootNotification: () => this.step({ op: 'boot' }),
            Heartbeat: () => this.call('Heartbeat', {}),
            StatusNotification: async () => {
                const targets = c ? [c] : this.connectors.map((_, i) => i).filter((i) => i > 0);
                for (const t of targets) await this.status(t, this.connectors[t].status);
            },
            MeterValues: async () => {
                const targets = c ? [c] : this.connectors.map((_, i) => i).filter((i) => i > 0);
                for (const t of targets) {
                    const conn = this.connectors[t];
                    await this.call('MeterValues', {
                        connectorId: t, ...(conn.txId !== null ? { transactionId: conn.txId } : {}),
                        meterValue: [{ timestamp: stamp(), sampledValue: [{
                            value: String(conn.meterWh), context: 'Trigger',
                            measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
                    });
                }
            },
            DiagnosticsStatusNotification: () => this.call('DiagnosticsStatusNotification', { status: 'Idle' }),
            FirmwareStatusNotification: () => this.call('FirmwareStatusNotification', { status: 'Idle' }),
        }[p.requestedMessage];
        if (!follow || (c !== undefined && !this.connectors[c])) return [{ status: 'Rejected' }];
        return [{ status: 'Accepted' }, follow];
    }

    fail(err) {
        this.failure = this.failure || err;
    }
}

function readScript(path) {
    const text = path === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(path, 'utf8');
    let steps;
    try { steps = JSON.parse(text); } catch (err) { throw new Fatal(`the script is not JSON: ${err.message}`, EXIT_USAGE); }
    if (!Array.isArray(steps)) throw new Fatal('the script must be a JSON array of steps', EXIT_USAGE);
    return steps;
}

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const steps = readScript(opts.script);
    const cp = new ChargePoint(opts);
    try {
        await cp.connect();
        await cp.run(steps);
        if (cp.failure) throw cp.failure;
        if (cp.schemaFailures) throw new Fatal(`${cp.schemaFailures} message(s) failed OCPP 1.6 schema validation`, EXIT_SCHEMA);
        emit({ type: 'done' });
    } finally {
        if (cp.client && cp.online) {
            await cp.client.close({ code: 1000, force: cp.unanswered > 0 }).catch(() => {});
        }
    }
}

main().then(() => process.exit(0), (err) => {
    const code = err instanceof Fatal ? err.exitCode : EXIT_FAIL;
    process.stderr.write(`cp: ${(err && err.message) || err}\n`);
    process.exit(code);
});
