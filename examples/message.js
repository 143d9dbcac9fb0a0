#!/usr/bin/gjs -m
// Send a SIP instant message (MESSAGE, RFC 3428) from GJS, with the async
// calls of libsipws turned into promises by Gio._promisify.
//
//     SIPWS_PASSWORD=alice-secret gjs -m message.js --server wss://pbx.example.com/ \
//         --aor sip:alice@example.com [--ca-file FILE] [--timeout SECONDS] \
//         sip:bob@example.com 'Hello Bob'
//
// registers, sends the message, prints one event per line on stdout
//
//     registered sip:alice@example.com
//     delivered sip:bob@example.com
//     unregistered sip:alice@example.com
//
// and exits 0 when the message was delivered, 1 otherwise with the reason on
// stderr, 2 for a usage error. The password is read from SIPWS_PASSWORD.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Sipws from 'gi://Sipws?version=1.0';
import System from 'system';

// Each *_async method becomes a method returning a promise when called
// without a callback; the promise rejects with the GLib.Error of *_finish.
Gio._promisify(Sipws.Account.prototype, 'register_async', 'register_finish');
Gio._promisify(Sipws.Account.prototype, 'unregister_async', 'unregister_finish');
Gio._promisify(Sipws.Account.prototype, 'send_message_async', 'send_message_finish');

const USAGE = 'usage: gjs -m message.js --server URI [--server URI]... --aor SIP-URI ' +
    '[--ca-file FILE] [--timeout SECONDS] URI TEXT';
// How long the unregister on the way out may take, in seconds.
const UNREGISTER_TIMEOUT = 5;

function usage(problem) {
    printerr(`message.js: ${problem}\n${USAGE}`);
    System.exit(2);
}

function parseArguments(argv) {
    const options = {servers: [], aor: null, caFile: null, timeout: 30, positional: []};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const takesValue = ['--server', '--aor', '--ca-file', '--timeout'].includes(arg);
        if (takesValue && i + 1 >= argv.length)
            usage(`${arg} needs a value`);
        if (arg === '--server')
            options.servers.push(argv[++i]);
        else if (arg === '--aor')
            options.aor = argv[++i];
        else if (arg === '--ca-file')
            options.caFile = argv[++i];
        else if (arg === '--timeout')
            options.timeout = Number(argv[++i]);
        else if (arg.startsWith('--'))
            usage(`unknown option ${arg}`);
        else
            options.positional.push(arg);
    }
    if (options.servers.length === 0 || options.aor === null)
        usage('--server and --aor are required');
    if (options.positional.length !== 2)
        usage('give the recipient URI and the text');
    if (!(options.timeout > 0))
        usage('--timeout must be a positive number of seconds');
    return options;
}

// Cancels @cancellable after @seconds; returns a function that stops the timer.
function cancelAfter(cancellable, seconds) {
    const id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, seconds * 1000, () => {
        cancellable.cancel();
        return GLib.SOURCE_REMOVE;
    });
    return () => {
        if (!cancellable.is_cancelled())
            GLib.source_remove(id);
    };
}

async function unregister(account) {
    if (account.registration_state !== Sipws.RegistrationState.REGISTERED)
        return;
    const cancellable = new Gio.Cancellable();
    const stopTimer = cancelAfter(cancellable, UNREGISTER_TIMEOUT);
    try {
        await account.unregister_async(Sipws.UnregisterFlags.NONE, cancellable);
        print(`unregistered ${account.aor}`);
    } catch (error) {
        printerr(`message.js: unregister: ${error.message}`);
    } finally {
        stopTimer();
    }
}

async function main(options) {
    const [target, text] = options.positional;
    const account = Sipws.Account.new(options.aor);
    account.set_server_uris(options.servers);
    if (options.caFile !== null)
        account.tls_ca_file = options.caFile;
    const password = GLib.getenv('SIPWS_PASSWORD');
    if (password)
        account.set_password(password);

    // The whole exchange is bounded by --timeout.
    const cancellable = new Gio.Cancellable();
    const stopTimer = cancelAfter(cancellable, options.timeout);
    try {
        await account.register_async(cancellable);
        print(`registered ${account.aor}`);
        const body = new GLib.Bytes(new TextEncoder().encode(text));
        await account.send_message_async(target, 'text/plain;charset=UTF-8', body, cancellable);
        print(`delivered ${target}`);
        return 0;
    } catch (error) {
        if (cancellable.is_cancelled())
            printerr(`message.js: timed out after ${options.timeout} s sending to ${target}`);
        else
            printerr(`message.js: the message to ${target} was not delivered: ${error.message}`);
        return 1;
    } finally {
        stopTimer();
        await unregister(account);
        account.get_transport().stop();
    }
}

const options = parseArguments(System.programArgs);
const loop = new GLib.MainLoop(null, false);
let status = 1;
main(options).then(code => {
    status = code;
}).catch(error => {
    printerr(`message.js: ${error.message}`);
}).finally(() => loop.quit());
loop.run();
System.exit(status);
