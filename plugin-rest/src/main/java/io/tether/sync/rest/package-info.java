/**
 * Protocol v1 over HTTP (PROTOCOL.md sections 3 to 6).
 *
 * <ul>
 *   <li>Hub side: {@link io.tether.sync.rest.SyncServlet}, mountable in any Servlet 6 container, and
 *       {@link io.tether.sync.rest.TetherServer}, an embedded Jetty 12 runner that serves it.</li>
 *   <li>Authentication: {@link io.tether.sync.rest.JwtAuthenticator} and, for development and tests,
 *       {@link io.tether.sync.rest.JwtIssuer}.</li>
 *   <li>Replica side: {@link io.tether.sync.rest.RestTransport} on {@code java.net.http}.</li>
 *   <li>{@link io.tether.sync.rest.RestPlugin}: the {@code rest} plugin that wires both from properties.</li>
 * </ul>
 */
package io.tether.sync.rest;
