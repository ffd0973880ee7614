package io.tether.sync.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;

import java.nio.ByteBuffer;

/**
 * The standard Jakarta WebSocket endpoint of {@code /sync/v1/ws}; one instance per socket, created by
 * {@link LiveHub#endpointConfig()}. Mount it in any Jakarta WebSocket 2.1 container with that configuration.
 */
public final class LiveEndpoint extends Endpoint {
    private final LiveHub hub;
    private LiveSession session;

    LiveEndpoint(LiveHub hub) {
        this.hub = hub;
    }

    @Override
    public void onOpen(Session socket, EndpointConfig config) {
        socket.setMaxTextMessageBufferSize(hub.maxMessageChars());
        socket.setMaxIdleTimeout(hub.pingTimeout().toMillis() * 2);
        LiveSession s = new LiveSession(hub, socket);
        session = s;
        socket.addMessageHandler(String.class, (MessageHandler.Whole<String>) s::onText);
        socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) s::onBinary);
        socket.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> s.heard());
        if (!hub.register(s)) {
            s.closeNow(CloseReason.CloseCodes.GOING_AWAY.getCode(), "the hub is stopping");
        }
    }

    @Override
    public void onClose(Session socket, CloseReason reason) {
        LiveSession s = session;
        if (s != null) {
            s.closed();
            hub.unregister(s);
        }
    }

    @Override
    public void onError(Session socket, Throwable error) {
        LiveSession s = session;
        if (s != null) {
            s.closeNow(CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode(), "socket error");
        }
    }
}
