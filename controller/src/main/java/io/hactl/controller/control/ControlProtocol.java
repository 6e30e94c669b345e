package io.hactl.controller.control;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The control socket's protocol: one JSON object per line each way.
 * Request {@code {"v":1,"cmd":"status", ...}}; answer {@code {"v":1,"ok":true,"result":...}} or
 * {@code {"v":1,"ok":false,"error":"..."}}. A request of another version is refused.
 */
public final class ControlProtocol {
    private ControlProtocol() {}

    public static final int VERSION = 1;
    /** Longest request line accepted. */
    public static final int MAX_REQUEST = 64 * 1024;

    public static final ObjectMapper JSON = new ObjectMapper();
}
