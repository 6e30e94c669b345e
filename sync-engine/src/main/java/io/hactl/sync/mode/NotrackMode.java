package io.hactl.sync.mode;

/**
 * Best-effort replication (NOTRACK): the same messages, no acknowledgements and no resending.
 * Gaps in the peer's sequence are only counted; a periodic bulk send or a resync repairs them.
 */
public final class NotrackMode extends AbstractMode {

    public NotrackMode(ModeConfig config, StateSource source, Outbox outbox, SyncListener listener, SyncStats stats,
                       String peerName) {
        super(config, source, outbox, listener, stats, peerName);
    }

    @Override
    protected long unacknowledged() {
        return 0; // nothing kept: what is lost stays lost until a bulk
    }

    @Override
    protected boolean canSend() {
        return true;
    }

    @Override
    protected void sent(int seq, Object item) {
        // nothing kept: best effort
    }

    @Override
    protected boolean acceptReliable(int seq) {
        if (expectedKnown && after(seq, expected)) {
            stats.messagesLost.addAndGet(Integer.toUnsignedLong(seq - expected));
        } else if (expectedKnown && after(expected, seq)) {
            stats.messagesLate.incrementAndGet();
            return false;
        }
        if (!expectedKnown) {
            learnSequence(seq);
        }
        expected = seq + 1;
        return true;
    }

    @Override
    protected void onAck(int from, int to) {
        // a peer in FTFW mode acknowledges; nothing to do here
    }

    @Override
    protected void onNack(int from, int to) {
        // nothing kept to resend
    }

    @Override
    protected void onPeerHeartbeat(int peerNextSeq) {
        if (expectedKnown && after(peerNextSeq, expected)) {
            stats.messagesLost.addAndGet(Integer.toUnsignedLong(peerNextSeq - expected));
            expected = peerNextSeq;
        }
    }

    @Override
    protected void resetReceiveRun() {
        // no acknowledgement bookkeeping
    }

    @Override
    protected void peerRestarted() {
        // nothing kept
    }
}
