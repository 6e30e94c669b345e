package io.hactl.sync.wire;

/**
 * Bytes that are not a valid compact flow encoding. {@link #field()} names the part that failed
 * (e.g. {@code "orig.dst"}, {@code "protoinfo.tcp.state"}) so a receiver can count rejections per
 * reason; the message adds the offset and what was wrong.
 */
public class CompactFlowException extends Exception {
    private final String field;

    public CompactFlowException(String field, String detail) {
        super(field + ": " + detail);
        this.field = field;
    }

    /** The field being decoded when the input was found bad. */
    public String field() {
        return field;
    }
}
