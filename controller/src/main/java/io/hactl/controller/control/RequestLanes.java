package io.hactl.controller.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each complete request of {@link ControlServer} to the daemon's {@link ControlServer.Handler}
 * in its lane ({@link ControlRequest.Lane}): keepalived's notify, quick questions (status, ping,
 * stats) and table-sized operations (commit, resync, cache) each have threads of their own, so
 * none waits behind another kind. The answer, or the handler's error, goes back as one JSON line
 * and the connection is closed.
 */
final class RequestLanes {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLanes.class);

    private final ControlServer.Handler handler;
    private final Map<ControlRequest.Lane, ExecutorService> lanes = new EnumMap<>(ControlRequest.Lane.class);
    private final AtomicInteger answering = new AtomicInteger();

    RequestLanes(ControlServer.Handler handler) {
        this.handler = handler;
        lanes.put(ControlRequest.Lane.NOTIFY, lane("hactl-control-notify", 1));
        lanes.put(ControlRequest.Lane.QUERY, lane("hactl-control-query", 2));
        lanes.put(ControlRequest.Lane.OPERATION, lane("hactl-control-op", 2));
    }

    private static ExecutorService lane(String name, int threads) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Answers {@code request} on {@code ch} in its lane; once shut down, closes {@code ch} instead. */
    void submit(SocketChannel ch, ControlRequest request) {
        answering.incrementAndGet();
        try {
            lanes.get(request.lane()).execute(() -> answer(ch, request));
        } catch (RuntimeException e) { // shut down
            answering.decrementAndGet();
            Replies.closeQuietly(ch);
        }
    }

    /** Connections being answered: they count against {@link ControlServer#MAX_CONNECTIONS}. */
    int answering() {
        return answering.get();
    }

    /** Stops every lane; requests still waiting are not answered. */
    void shutdownNow() {
        lanes.values().forEach(ExecutorService::shutdownNow);
    }

    private void answer(SocketChannel ch, ControlRequest request) {
        try {
            ObjectNode reply = ControlProtocol.JSON.createObjectNode();
            reply.put("v", ControlProtocol.VERSION);
            try {
                JsonNode result = ControlProtocol.JSON.valueToTree(handler.handle(request));
                reply.put("ok", true);
                reply.set("result", result);
            } catch (Exception e) {
                reply.removeAll();
                reply.put("v", ControlProtocol.VERSION);
                reply.put("ok", false);
                reply.put("error", e.getMessage() == null ? e.toString() : e.getMessage());
            }
            Replies.write(ch, Replies.encode(reply));
        } catch (IOException e) {
            LOG.debug("control socket: client went away: {}", e.getMessage());
        } finally {
            answering.decrementAndGet();
            Replies.closeQuietly(ch);
        }
    }
}
