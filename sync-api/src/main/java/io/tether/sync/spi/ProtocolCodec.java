package io.tether.sync.spi;

import io.tether.sync.ConfigurationException;
import io.tether.sync.ProblemException;

import java.util.ServiceLoader;

/**
 * Reads and writes the JSON of PROTOCOL.md exactly. Readers are strict: malformed JSON, wrong types, unknown or
 * missing fields and content after the value throw a {@link ProblemException} of type {@code bad-request} whose
 * {@code errors} name each offending field. Implemented in sync-core; transports get it from
 * {@link PluginContext#codec()} or {@link #load()}. Thread-safe.
 */
public interface ProtocolCodec {
    PushRequest readPushRequest(byte[] json);

    byte[] writePushRequest(PushRequest request);

    PushResponse readPushResponse(byte[] json);

    byte[] writePushResponse(PushResponse response);

    PullResponse readPullResponse(byte[] json);

    byte[] writePullResponse(PullResponse response);

    Schema readSchema(byte[] json);

    byte[] writeSchema(Schema schema);

    Problem readProblem(byte[] json);

    byte[] writeProblem(Problem problem);

    LiveMessage readLiveMessage(String json);

    String writeLiveMessage(LiveMessage message);

    /** The codec of the engine on the class path. */
    static ProtocolCodec load() {
        return ServiceLoader.load(ProtocolCodec.class, ProtocolCodec.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new ConfigurationException(
                        "No Tether protocol codec on the class path. Add io.tether:sync-core."));
    }
}
