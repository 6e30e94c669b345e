package io.hactl.sync.engine;

import io.hactl.sync.mode.DatagramOutbox;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Datagrams sealed with the pair's key, as an instance of the peer would send them. */
final class PeerDatagrams {
    private PeerDatagrams() {}

    /** An instance of epoch {@code epoch} announcing itself, then sending one flow. */
    static List<ByteBuffer> helloAndFlow(byte[] key, long epoch, byte[] flow) {
        List<ByteBuffer> out = new ArrayList<>();
        DatagramOutbox box = new DatagramOutbox(new Authenticator(key), epoch, 1472, out::add, new SyncStats());
        box.add(new Message.Hello(1));
        box.flush();
        box.add(new Message.FlowUpdate(1, flow));
        box.flush();
        return out;
    }
}
