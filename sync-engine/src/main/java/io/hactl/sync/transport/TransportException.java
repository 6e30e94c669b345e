package io.hactl.sync.transport;

/** A sync link that cannot be opened; the message names the link. */
public class TransportException extends Exception {
    public TransportException(String message) {
        super(message);
    }
}
