// A seeder speaking the original 2015 GitTorrent wire format (docs/PROTOCOL.md section 4, the parts marked (orig)), built
// from the original npm packages: bittorrent-protocol@1.5.7 + ut_gittorrent@0.1.1. It accepts a BitTorrent handshake
// whose info_hash is one of the COMMITs, and answers ut_gittorrent {sha} with {infoHash: that commit's PACK_INFOHASH}
// exactly as the original did (the packs themselves are seeded by another client; anything else in the request, such
// as our "have" and "want" lists, is ignored as the original ignores it). Prints "listening <port>" and one
// "asked <sha>" per request.
// Usage: node original-gittorrent-peer.js COMMIT PACK_INFOHASH [COMMIT PACK_INFOHASH ...]
//        (NODE_PATH must reach tests/Interop/node/node_modules)
'use strict'
var net = require('net')
var crypto = require('crypto')
var Protocol = require('bittorrent-protocol')
var utGittorrent = require('ut_gittorrent')

var packs = {}
var args = process.argv.slice(2)
for (var i = 0; i < args.length; i += 2) {
  if (!/^[0-9a-f]{40}$/.test(args[i]) || !/^[0-9a-f]{40}$/.test(args[i + 1] || '')) {
    console.error('usage: node original-gittorrent-peer.js COMMIT PACK_INFOHASH [COMMIT PACK_INFOHASH ...]')
    process.exit(2)
  }
  packs[args[i]] = args[i + 1]
}
if (args.length === 0) {
  console.error('usage: node original-gittorrent-peer.js COMMIT PACK_INFOHASH [COMMIT PACK_INFOHASH ...]')
  process.exit(2)
}
var peerId = crypto.randomBytes(20).toString('hex')

var server = net.createServer(function (socket) {
  var wire = new Protocol()
  socket.pipe(wire).pipe(socket)
  socket.on('error', function () {})
  wire.on('error', function () { socket.destroy() })
  wire.use(utGittorrent())
  wire.on('handshake', function (infoHash) {
    var hex = Buffer.isBuffer(infoHash) ? infoHash.toString('hex') : String(infoHash)
    if (!Object.prototype.hasOwnProperty.call(packs, hex)) {
      console.log('refused ' + hex)
      socket.destroy()
      return
    }
    wire.handshake(hex, peerId)
  })
  wire.ut_gittorrent.on('generatePack', function (sha) {
    console.log('asked ' + sha)
    if (Object.prototype.hasOwnProperty.call(packs, sha)) {
      wire.ut_gittorrent.sendTorrent(packs[sha])
    }
  })
})
server.listen(0, '127.0.0.1', function () {
  console.log('listening ' + server.address().port)
})
process.stdin.on('end', function () { process.exit(0) })
process.stdin.resume()
