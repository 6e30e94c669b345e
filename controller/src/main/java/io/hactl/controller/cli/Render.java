package io.hactl.controller.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.ControlProtocol;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** How the one-line operations print their results. */
final class Render {
    /** Plain JSON reading and writing: an object mapper costs a short command more than its work. */
    static final JsonFactory JSON_FACTORY = new JsonFactory();

    private Render() {}

    static int commit(JsonNode result, PrintWriter out) {
        CommitReport r;
        try {
            r = ControlProtocol.JSON.treeToValue(result, CommitReport.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the daemon's commit answer does not read: " + e.getOriginalMessage(), e);
        }
        out.printf("committed %d of %d flows in %d ms%s%n", r.written() + r.replaced(), r.flows(), r.millis(),
                r.replaced() > 0 ? " (" + r.replaced() + " replaced)" : "");
        if (!r.ok()) {
            out.println("failed: " + failures(r.failures()));
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    /** The kernel's refusals by error, as one line of JSON: {@code {"EEXIST":3}}. */
    static String failures(Map<String, Integer> failures) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON_FACTORY.createGenerator(w)) {
            g.writeStartObject();
            for (Map.Entry<String, Integer> e : failures.entrySet()) {
                g.writeFieldName(e.getKey());
                if (e.getValue() == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(e.getValue());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static int resync(JsonNode r, PrintWriter out) {
        out.printf("internal cache resynced from the kernel: %d flows%n", r.asLong());
        return ExitCodes.OK;
    }

    static int bulkSend(JsonNode r, PrintWriter out) {
        out.printf("bulk send of %d flows queued for the peer%n", r.asLong());
        return ExitCodes.OK;
    }

    static int requestResync(JsonNode r, PrintWriter out) {
        out.println("resync requested from the peer");
        return ExitCodes.OK;
    }

    static int purge(JsonNode r, PrintWriter out) {
        out.printf("purge of the peer's flows it no longer has scheduled in %d s (a commit or flush cancels it;"
                + " it runs only on BACKUP or FAULT)%n", r.asLong());
        return ExitCodes.OK;
    }
}
