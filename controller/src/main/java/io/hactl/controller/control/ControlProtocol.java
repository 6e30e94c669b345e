package io.hactl.controller.control;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The control socket's protocol: one JSON object per line each way.
 * Request {@code {"v":1,"cmd":"status", ...}}; answer {@code {"v":1,"ok":true,"result":...}} or
 * {@code {"v":1,"ok":false,"error":"..."}}. The requests are {@link ControlRequest}, read by
 * {@link RequestCodec}: another version, an unknown key or a value of the wrong type is refused.
 */
public final class ControlProtocol {
    private ControlProtocol() {}

    public static final int VERSION = 1;
    /** Longest request line accepted. */
    public static final int MAX_REQUEST = 64 * 1024;

    public static final ObjectMapper JSON = new ObjectMapper();
}
