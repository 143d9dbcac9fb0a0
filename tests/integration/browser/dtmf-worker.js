// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Receiver-side RTCRtpScriptTransform (see peer.js): passes every encoded
// audio frame through unchanged and reports the end packets of RFC 4733
// telephone events (section 2.3: event, E bit, volume, duration).  Only
// end packets: some senders (Chromium) send nothing else for short tones.

'use strict';

function inspect(frame) {
  const md = frame.getMetadata();
  if ((md.mimeType || '').toLowerCase() !== 'audio/telephone-event' || frame.data.byteLength < 4)
    return;
  const b = new DataView(frame.data);
  if ((b.getUint8(1) & 0x80) === 0)
    return;
  self.postMessage({
    pt: md.payloadType,
    ssrc: md.synchronizationSource,
    timestamp: md.rtpTimestamp,
    code: b.getUint8(0),
    duration: b.getUint16(2),
  });
}

self.onrtctransform = (event) => {
  const transformer = event.transformer;
  transformer.readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      try {
        inspect(frame);
      } finally {
        controller.enqueue(frame);
      }
    },
  })).pipeTo(transformer.writable);
};
