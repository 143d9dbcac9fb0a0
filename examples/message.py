#!/usr/bin/python3
"""Send and receive SIP instant messages (MESSAGE, RFC 3428).

Send one message and report its delivery:

    SIPWS_PASSWORD=alice-secret ./message.py --server wss://pbx.example.com/ \\
        --aor sip:alice@example.com send sip:bob@example.com 'Hello Bob'

    delivered sip:bob@example.com

With --wait-reply the sender registers first (so it can be reached) and then
waits for one message back from the recipient.

Receive messages, optionally answering each with a reply:

    SIPWS_PASSWORD=bob-secret ./message.py --server wss://pbx.example.com/ \\
        --aor sip:bob@example.com receive --count 1 --reply 'Hi Alice'

    registered sip:bob@example.com gruu=...
    message from=sip:alice@example.com type=text/plain;charset=UTF-8 text=Hello Bob
    delivered sip:alice@example.com
    unregistered sip:bob@example.com

Exit status 0 when the message was delivered (send) or --count messages
arrived (receive), 1 otherwise with the reason on stderr.
"""

import sys

from sipwsexample import GLib, Runner, Sipws, argument_parser, create_account, register

CONTENT_TYPE = 'text/plain;charset=UTF-8'


def body_text(body):
    """The text of a message body (a GLib.Bytes), invalid UTF-8 replaced."""
    data = body.get_data() if body is not None else None
    return bytes(data or b'').decode('utf-8', errors='replace')


def same_uri(a, b):
    """Whether two SIP URIs are equal by the rules of RFC 3261 §19.1.4."""
    try:
        return Sipws.Uri.parse(a, -1).equal(Sipws.Uri.parse(b, -1))
    except GLib.Error:
        return False


class MessageExample:
    def __init__(self, args, account, runner):
        self.args = args
        self.account = account
        self.runner = runner
        self.received = 0
        self.pending_sends = 0
        self.waiting_for_reply = args.command == 'send' and args.wait_reply

    def send(self, target, text):
        """Sends @text to @target; prints the delivery or fails the run."""
        def sent(account, result):
            self.pending_sends -= 1
            try:
                account.send_message_finish(result)
            except GLib.Error as error:
                self.runner.fail(f'the message to {target} was not delivered: {error.message}')
                return
            print(f'delivered {target}', flush=True)
            self.maybe_done()

        self.pending_sends += 1
        body = GLib.Bytes.new(text.encode('utf-8'))
        self.account.send_message_async(target, CONTENT_TYPE, body, None, sent)

    def message_received(self, account, sender, content_type, body):
        print(f'message from={sender} type={content_type} text={body_text(body)}', flush=True)
        self.received += 1
        if self.args.command == 'receive' and self.args.reply is not None:
            self.send(sender, self.args.reply)
        if self.waiting_for_reply and same_uri(sender, self.args.target):
            self.waiting_for_reply = False
        self.maybe_done()

    def maybe_done(self):
        if self.pending_sends > 0:
            return
        if self.args.command == 'send' and not self.waiting_for_reply:
            self.runner.done()
        elif self.args.command == 'receive' and self.received >= self.args.count:
            self.runner.done()


def main():
    parser = argument_parser('Send and receive SIP MESSAGE requests.')
    commands = parser.add_subparsers(dest='command', required=True)
    send = commands.add_parser('send', help='send one message')
    send.add_argument('target', metavar='URI', help='the recipient')
    send.add_argument('text', metavar='TEXT', help='the text to send')
    send.add_argument('--wait-reply', action='store_true',
                      help='register, and wait for one message back')
    receive = commands.add_parser('receive', help='register and print the messages that arrive')
    receive.add_argument('--count', metavar='N', type=int, default=1,
                         help='exit after N messages (default %(default)s)')
    receive.add_argument('--reply', metavar='TEXT', help='answer every message with TEXT')
    args = parser.parse_args()
    if args.command == 'receive' and args.count < 1:
        parser.error('--count must be at least 1')

    account = create_account(args)
    runner = Runner('message.py')
    example = MessageExample(args, account, runner)
    account.connect('message-received', example.message_received)
    if args.command == 'send' and not args.wait_reply:
        # Sending needs no registration: the request goes out on the flow.
        example.send(args.target, args.text)
        runner.run(args.timeout, f'sending to {args.target}')
    elif args.command == 'send':
        register(account, runner, lambda: example.send(args.target, args.text))
        runner.run(args.timeout, f'waiting for a reply from {args.target}')
    else:
        register(account, runner, lambda: print('waiting for messages', flush=True))
        runner.run(args.timeout, f'waiting for {args.count} message(s)')
        print(f'received {example.received} of {args.count}', flush=True)
    runner.exit(account)


if __name__ == '__main__':
    sys.exit(main())
