package io.hactl.sync.conntrack;

/** TCP sequence adjustment of one direction (CTA_SEQ_ADJ_ORIG / CTA_SEQ_ADJ_REPLY), used by NAT helpers. */
public record SeqAdj(long correctionPos, long offsetBefore, long offsetAfter) {
    public SeqAdj {
        Values.checkU32("correctionPos", correctionPos);
        Values.checkU32("offsetBefore", offsetBefore);
        Values.checkU32("offsetAfter", offsetAfter);
    }
}
