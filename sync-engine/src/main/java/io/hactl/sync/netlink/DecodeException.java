package io.hactl.sync.netlink;

/** Bytes that are not a well-formed netlink/ctnetlink message; the message names what and where. */
public class DecodeException extends Exception {
    public DecodeException(String message) {
        super(message);
    }
}
