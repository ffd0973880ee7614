/**
 * Protocol v1 over one WebSocket (PROTOCOL.md section 7).
 *
 * <ul>
 *   <li>Hub side: {@link io.tether.sync.websocket.LiveHub}, the live sockets of a hub and the fan-out of its
 *       commits, with a standard Jakarta WebSocket endpoint ({@link io.tether.sync.websocket.LiveEndpoint})
 *       mountable in any container or on the REST plugin's embedded Jetty.</li>
 *   <li>Replica side: {@link io.tether.sync.websocket.WebSocketTransport} on {@code java.net.http.WebSocket}.</li>
 *   <li>{@link io.tether.sync.websocket.WebSocketPlugin}: the {@code websocket} plugin that wires both.</li>
 * </ul>
 */
package io.tether.sync.websocket;
