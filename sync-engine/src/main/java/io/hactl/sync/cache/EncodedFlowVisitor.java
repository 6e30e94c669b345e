package io.hactl.sync.cache;

/** Receives the stored encodings of a walk over a {@link FlowStore} (not copies: do not modify them). */
@FunctionalInterface
public interface EncodedFlowVisitor {
    void visit(int handle, byte[] encoding, long updatedAtNanos);
}
