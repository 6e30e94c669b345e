package io.hactl.controller.vrrp;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The network of one node, written down: every call as a line ("send LAN 200", "add LAN",
 * "announce WAN", "remove LAN"), with the virtual time of the loop; sent advertisements are
 * delivered to the peer controller, if wired and the link carries them, as a real socket would
 * (TTL 255, to the multicast group).
 */
final class FakeVrrpIo implements VrrpIo {
    final String node;
    final ManualLoop loop;
    final Map<String, InetAddress> primary;
    final List<String> calls;
    final List<Long> callTimes = new ArrayList<>();
    VrrpController peer;
    boolean linkCarries = true;
    boolean failAdd;
    /** Calls that fail after they are recorded, as written down ("remove WAN", "send LAN 200"). */
    final Set<String> failing = new HashSet<>();
    boolean closed;
    /** Datagrams waiting in the sockets, unread by the receive thread (a paused process): {@link #receivePending}'s. */
    final List<Waiting> waiting = new ArrayList<>();

    record Waiting(String iface, IpHeader header, byte[] message, long receivedAt) {}

    /** {@code primary}: this node's address per interface; {@code calls} may be shared with others. */
    FakeVrrpIo(String node, ManualLoop loop, Map<String, InetAddress> primary, List<String> calls) {
        this.node = node;
        this.loop = loop;
        this.primary = primary;
        this.calls = calls;
    }

    void record(String call) {
        calls.add(call);
        callTimes.add(loop.nanoTime());
    }

    private void recordOrFail(String call) throws IOException {
        record(call);
        if (failing.contains(call)) {
            throw new IOException(call + ": No such device");
        }
    }

    /** Forgets the calls so far. */
    void forget() {
        calls.clear();
        callTimes.clear();
    }

    /** Calls of one kind ("send", "add", ...), without the rest. */
    List<String> only(String kind) {
        return calls.stream().filter(c -> c.startsWith(kind + " ")).toList();
    }

    @Override
    public InetAddress primaryAddress(RouterConfig router) {
        return primary.get(router.interfaceName());
    }

    @Override
    public void send(RouterConfig router, Advertisement advert) throws IOException {
        recordOrFail("send " + router.name() + " " + advert.priority());
        if (peer != null && linkCarries) {
            InetAddress source = primary.get(router.interfaceName());
            InetAddress group = Fixtures.ip(VrrpConstants.IPV4_GROUP);
            peer.onDatagram(router.interfaceName(), source, group, 255,
                    AdvertCodec.encodeSealed(advert, source, group, ChecksumMode.RFC));
        }
    }

    @Override
    public void addAddresses(RouterConfig router) throws IOException {
        recordOrFail("add " + router.name());
        if (failAdd) {
            throw new IOException("RTM_NEWADDR: Operation not permitted");
        }
    }

    @Override
    public void removeAddresses(RouterConfig router) throws IOException {
        recordOrFail("remove " + router.name());
    }

    @Override
    public void announce(RouterConfig router) throws IOException {
        recordOrFail("announce " + router.name());
    }

    @Override
    public void receivePending(Receiver to) {
        List<Waiting> now = List.copyOf(waiting);
        waiting.clear();
        for (Waiting w : now) {
            to.datagram(w.iface(), w.header(), w.message(), w.receivedAt());
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
