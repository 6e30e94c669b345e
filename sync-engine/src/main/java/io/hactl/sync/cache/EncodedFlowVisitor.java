package io.hactl.sync.cache;

/** Receives the encodings of a walk over a {@link FlowStore}, each a copy. */
@FunctionalInterface
public interface EncodedFlowVisitor {
    void visit(int handle, byte[] encoding, long updatedAtNanos);
}
