package io.hactl.controller.control;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every request the control socket accepts, bound once with Jackson: the {@code cmd} key names
 * the record, any other key must be one of its components with the component's JSON type
 * ({@link RequestCodec} refuses the rest). The records live together here because they are one
 * schema, read in one place; each is a handful of keys.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "cmd")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControlRequest.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = ControlRequest.Notify.class, name = "notify"),
    @JsonSubTypes.Type(value = ControlRequest.Status.class, name = "status"),
    @JsonSubTypes.Type(value = ControlRequest.Stats.class, name = "stats"),
    @JsonSubTypes.Type(value = ControlRequest.Commit.class, name = "commit"),
    @JsonSubTypes.Type(value = ControlRequest.Flush.class, name = "flush"),
    @JsonSubTypes.Type(value = ControlRequest.Resync.class, name = "resync"),
    @JsonSubTypes.Type(value = ControlRequest.BulkSend.class, name = "bulk-send"),
    @JsonSubTypes.Type(value = ControlRequest.RequestResync.class, name = "request-resync"),
    @JsonSubTypes.Type(value = ControlRequest.Purge.class, name = "purge"),
    @JsonSubTypes.Type(value = ControlRequest.ListCache.class, name = "cache"),
})
public sealed interface ControlRequest {
    /**
     * Which queue answers it: keepalived's role changes never wait behind anything else, and
     * quick questions never wait behind table-sized operations.
     */
    enum Lane { NOTIFY, QUERY, OPERATION }

    Lane lane();

    /** Calls the visitor's method for this request's type. */
    <R> R accept(Visitor<R> visitor) throws Exception;

    /**
     * One method per request type: dispatch is checked by the compiler (a new record does not
     * compile until every visitor answers it), not by matching names.
     */
    interface Visitor<R> {
        R ping(Ping request) throws Exception;

        R notify(Notify request) throws Exception;

        R status(Status request) throws Exception;

        R stats(Stats request) throws Exception;

        R commit(Commit request) throws Exception;

        R flush(Flush request) throws Exception;

        R resync(Resync request) throws Exception;

        R bulkSend(BulkSend request) throws Exception;

        R requestResync(RequestResync request) throws Exception;

        R purge(Purge request) throws Exception;

        R listCache(ListCache request) throws Exception;
    }

    /** A cache named by a request. */
    enum CacheName {
        @JsonProperty("internal") INTERNAL,
        @JsonProperty("external") EXTERNAL,
        @JsonProperty("both") BOTH
    }

    record Ping() implements ControlRequest {
        public Lane lane() {
            return Lane.QUERY;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.ping(this);
        }
    }

    /** A role change keepalived announced ({@code hactl notify}); {@code source} says which line. */
    record Notify(@JsonProperty(required = true) String state, String source) implements ControlRequest {
        public Notify {
            if (state == null) {
                throw new IllegalArgumentException("key 'state' is required");
            }
            source = source == null ? "notify" : source;
        }

        public Lane lane() {
            return Lane.NOTIFY;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.notify(this);
        }
    }

    record Status() implements ControlRequest {
        public Lane lane() {
            return Lane.QUERY;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.status(this);
        }
    }

    record Stats() implements ControlRequest {
        public Lane lane() {
            return Lane.QUERY;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.stats(this);
        }
    }

    record Commit() implements ControlRequest {
        public Lane lane() {
            return Lane.OPERATION;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.commit(this);
        }
    }

    /** {@code cache}: internal, external or both (the default). */
    record Flush(CacheName cache) implements ControlRequest {
        public Flush {
            cache = cache == null ? CacheName.BOTH : cache;
        }

        public Lane lane() {
            return Lane.OPERATION;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.flush(this);
        }
    }

    record Resync() implements ControlRequest {
        public Lane lane() {
            return Lane.OPERATION;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.resync(this);
        }
    }

    record BulkSend() implements ControlRequest {
        public Lane lane() {
            return Lane.OPERATION;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.bulkSend(this);
        }
    }

    record RequestResync() implements ControlRequest {
        public Lane lane() {
            return Lane.OPERATION;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.requestResync(this);
        }
    }

    record Purge() implements ControlRequest {
        public Lane lane() {
            return Lane.OPERATION;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.purge(this);
        }
    }

    /** {@code cache}: internal (the default) or external; {@code both} is refused. */
    record ListCache(CacheName cache) implements ControlRequest {
        public ListCache {
            cache = cache == null ? CacheName.INTERNAL : cache;
            if (cache == CacheName.BOTH) {
                throw new IllegalArgumentException("key 'cache' must be internal or external, not both");
            }
        }

        public Lane lane() {
            return Lane.OPERATION;
        }

        public <R> R accept(Visitor<R> visitor) throws Exception {
            return visitor.listCache(this);
        }
    }
}
