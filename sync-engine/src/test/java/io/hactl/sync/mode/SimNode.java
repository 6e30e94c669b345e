package io.hactl.sync.mode;

import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One simulated gateway for mode tests: an internal cache (key -> state bytes), the external
 * cache the peer fills, a sync mode and its receiver. Answers a resync request with a bulk send,
 * as the engine will.
 */
final class SimNode implements SyncListener, StateSource {
    final String name;
    final Map<FlowKey, byte[]> internal = new HashMap<>();
    final Map<FlowKey, byte[]> external = new HashMap<>();
    final List<String> events = new ArrayList<>();
    final SyncStats stats = new SyncStats();
    final SyncMode mode;
    final PeerReceiver receiver;
    final DatagramOutbox outbox;
    long bulkEnds;
    /** FLOW_UPDATE messages delivered. */
    long flowUpdates;
    long lastBulkCount = -1;

    /** The simulated flows are not compact encodings: every body passes. */
    static final FlowCheck ANY_FLOW = new FlowCheck() {
        @Override
        public void flow(byte[] flow) {
        }

        @Override
        public void key(byte[] key) {
        }
    };

    SimNode(String name, boolean ftfw, ModeConfig config, byte[] key, long epoch, Consumer<ByteBuffer> wire) {
        this(name, ftfw, config, key, epoch, wire, ANY_FLOW);
    }

    SimNode(String name, boolean ftfw, ModeConfig config, byte[] key, long epoch, Consumer<ByteBuffer> wire,
            FlowCheck flowCheck) {
        this(name, ftfw, config, key, io.hactl.sync.wire.Encryption.NONE, epoch, wire, flowCheck);
    }

    SimNode(String name, boolean ftfw, ModeConfig config, byte[] key, io.hactl.sync.wire.Encryption encryption,
            long epoch, Consumer<ByteBuffer> wire, FlowCheck flowCheck) {
        this.name = name;
        this.outbox = new DatagramOutbox(new Authenticator(key, encryption), epoch, 1472, wire, stats);
        this.mode = ftfw ? new FtfwMode(config, this, outbox, this, stats, name)
                : new NotrackMode(config, this, outbox, this, stats, name);
        this.receiver = new PeerReceiver(new Authenticator(key, encryption), mode, flowCheck, name);
    }

    /** Flow bytes: key bytes then a version, so a test sees which state arrived. */
    static FlowKey key(int i) {
        return new FlowKey(ByteBuffer.allocate(4).putInt(i).array());
    }

    void put(int i, int version) {
        FlowKey k = key(i);
        internal.put(k, ByteBuffer.allocate(8).putInt(i).putInt(version).array());
        mode.flowChanged(k);
    }

    void delete(int i) {
        FlowKey k = key(i);
        internal.remove(k);
        mode.flowChanged(k);
    }

    void bulkSend() {
        java.util.Iterator<byte[]> it = new java.util.ArrayList<>(internal.values()).iterator();
        mode.bulk(() -> it.hasNext() ? it.next() : null);
    }

    @Override
    public FlowKey keyOf(byte[] flow) {
        return new FlowKey(java.util.Arrays.copyOf(flow, 4));
    }

    @Override
    public byte[] current(FlowKey key) {
        return internal.get(key);
    }

    @Override
    public int flows() {
        return internal.size();
    }

    /** A peer's cache summary as it arrived, with the external cache's size at that moment. */
    record Summary(long flows, long pending, long ahead, int external) {}

    final List<Summary> summaries = new ArrayList<>();

    @Override
    public void onPeerSummary(long flows, long pending, long ahead, long arrivedNanos) {
        summaries.add(new Summary(flows, pending, ahead, external.size()));
    }

    @Override
    public void onFlowUpdate(byte[] flow, long arrivedNanos) {
        flowUpdates++;
        byte[] k = new byte[4];
        System.arraycopy(flow, 0, k, 0, 4);
        external.put(new FlowKey(k), flow);
    }

    @Override
    public void onFlowDelete(byte[] key) {
        external.remove(new FlowKey(key));
    }

    @Override
    public void onBulkBegin(long arrivedNanos) {
        events.add("bulk-begin");
    }

    @Override
    public void onBulkEnd(long flows) {
        events.add("bulk-end " + flows);
        bulkEnds++;
        lastBulkCount = flows;
    }

    @Override
    public void onResyncRequest() {
        events.add("resync-request");
        bulkSend();
    }

    @Override
    public void onOwnBulkLost() {
        events.add("own-bulk-lost");
        bulkSend();
    }

    @Override
    public void onPeerRestart() {
        events.add("peer-restart");
    }

    /** Records what the external cache held when the hand-over arrived. */
    final java.util.List<Map<FlowKey, String>> externalAtHandover = new java.util.ArrayList<>();

    @Override
    public void onPeerHandover() {
        events.add("peer-handover");
        externalAtHandover.add(view(external));
    }

    @Override
    public void onPeerAlive(boolean alive) {
        events.add(alive ? "peer-alive" : "peer-dead");
    }

    /** External cache as comparable strings. */
    static Map<FlowKey, String> view(Map<FlowKey, byte[]> m) {
        Map<FlowKey, String> v = new HashMap<>();
        m.forEach((k, b) -> v.put(k, java.util.HexFormat.of().formatHex(b)));
        return v;
    }
}
