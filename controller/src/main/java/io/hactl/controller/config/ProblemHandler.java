package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import java.io.IOException;

/**
 * Turns what data binding would stop at (an unknown key, a list where a mapping belongs, ...) into
 * an error in {@link Problems} at its line and column, skips the offending value and lets binding
 * go on, so that one reading reports every error of the file.
 */
final class ProblemHandler extends DeserializationProblemHandler {
    /** The parser reported it where it stands ({@link LocatingParser}); here it is only skipped. */
    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                         Object beanOrClass, String propertyName) throws IOException {
        p.skipChildren();
        return true;
    }

    @Override
    public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
                                        String failureMsg) throws IOException {
        // the scalars report their own (Scalars): what is left are the lists and the mappings
        Problems.of(ctxt).at(p, targetType.isCollectionLikeType() ? "must be a list" : "must be a mapping of keys");
        p.skipChildren();
        return null;
    }

    @Override
    public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass, ValueInstantiator inst,
                                            JsonParser p, String msg) throws IOException {
        Problems.of(ctxt).at(p, "must be a mapping of keys");
        p.skipChildren();
        return null;
    }
}
