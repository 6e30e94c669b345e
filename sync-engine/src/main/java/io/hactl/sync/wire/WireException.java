package io.hactl.sync.wire;

/** Bad input from the network, with the reason it will be counted under. */
public class WireException extends Exception {
    private final DropReason reason;

    public WireException(DropReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DropReason reason() {
        return reason;
    }
}
