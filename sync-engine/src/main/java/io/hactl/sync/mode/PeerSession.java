package io.hactl.sync.mode;

import io.hactl.sync.wire.Datagram;
import io.hactl.sync.wire.Epochs;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.MessageType;
import io.hactl.sync.wire.ReplayWindow;
import io.hactl.sync.wire.Wire;
import java.util.function.LongSupplier;

/**
 * The session with one peer instance (PROTOCOL.md, "Sessions"): which instance of the peer this
 * node talks to, whether that instance talks to this one, the challenge this node has out, and
 * the replay window over the peer's datagram numbers.
 *
 * <p>A peer instance is adopted only on a HELLO_BACK that echoes this node's current nonce, which
 * is renewed at every adoption: a replayed HELLO or HELLO_BACK of an earlier instance (or of an
 * earlier handshake of the same one) can never match, so it can neither end a session nor start
 * one. Whatever the clocks say, a restarted peer answers the current challenge and is adopted.
 */
final class PeerSession {
    /** What a HELLO_BACK did. */
    enum Adoption {
        /** It echoed no current challenge: nothing changed. */
        NONE,
        /** The first peer instance of this node's life. */
        FIRST,
        /** The same instance again (its numbers had run ahead): the window moved up to it. */
        SAME,
        /** Another instance than the one of the session: the peer restarted. */
        RESTART
    }

    private final long ownEpoch;
    private final LongSupplier nonces;
    private final ReplayWindow window = new ReplayWindow();
    private long nonce;
    private long peerEpoch;
    private boolean confirmed;
    private boolean challenging = true;

    PeerSession(long ownEpoch, LongSupplier nonces) {
        if (ownEpoch == 0) {
            throw new IllegalArgumentException("epoch 0 means none");
        }
        this.ownEpoch = ownEpoch;
        this.nonces = nonces;
        this.nonce = freshNonce();
    }

    PeerSession(long ownEpoch) {
        this(ownEpoch, Epochs::next);
    }

    private long freshNonce() {
        long n;
        do {
            n = nonces.getAsLong();
        } while (n == 0);
        return n;
    }

    /** The nonce a HELLO sent now carries. */
    long nonce() {
        return nonce;
    }

    /** The epoch of the peer instance of the session; 0 before the first adoption. */
    long peerEpoch() {
        return peerEpoch;
    }

    boolean established() {
        return peerEpoch != 0;
    }

    /** The peer instance sends to this one (a datagram of the session arrived): reliable sending may start. */
    boolean confirmed() {
        return confirmed;
    }

    /** Whether HELLOs should go out: no session yet, or the peer must prove where it is again. */
    boolean challenging() {
        return challenging || peerEpoch == 0;
    }

    /** The peer went silent or ran ahead: challenge it until a HELLO_BACK answers. */
    void challenge() {
        challenging = true;
    }

    /** Whether {@code d} belongs to the session: from its peer instance, addressed to this one. */
    boolean inSession(Datagram d) {
        return peerEpoch != 0 && d.epoch() == peerEpoch && d.peerEpoch() == ownEpoch;
    }

    /** A HELLO_BACK echoing {@code echo} arrived in {@code d}. */
    Adoption helloBack(Datagram d, long echo) {
        if (echo != nonce) {
            return Adoption.NONE;
        }
        Adoption a = peerEpoch == 0 ? Adoption.FIRST : d.epoch() == peerEpoch ? Adoption.SAME : Adoption.RESTART;
        if (a == Adoption.SAME) {
            window.advanceTo(d.number());
        } else {
            window.restart(d.number());
            confirmed = false;
        }
        peerEpoch = d.epoch();
        nonce = freshNonce(); // this answer, or a replay of it, never adopts anything again
        challenging = false;
        return a;
    }

    /** The window's verdict on a datagram of the session; records nothing. */
    ReplayWindow.Verdict check(Datagram d) {
        return window.check(d.number());
    }

    /** A datagram of the session was taken: its number is used up and the peer is known to send to us. */
    void accepted(Datagram d) {
        window.record(d.number());
        confirmed = true;
    }

    /**
     * Whether a sequence number in {@code d} (of a reliable message, or the next one a heartbeat
     * announces) runs further ahead of {@code expected} than a peer can ({@link Wire#MAX_SEQUENCE_JUMP}).
     */
    static boolean sequenceJumps(Datagram d, int expected) {
        for (int i = 0; i < d.size(); i++) {
            int seq;
            if (d.type(i).reliable()) {
                seq = d.seq(i);
            } else if (d.type(i) == MessageType.HEARTBEAT) {
                seq = ((Message.Heartbeat) d.message(i)).nextSeq();
            } else {
                continue;
            }
            if (seq - expected > Wire.MAX_SEQUENCE_JUMP) {
                return true;
            }
        }
        return false;
    }
}
