//! The harness itself: shared servers are started once and hand out fresh databases and key
//! prefixes; a dedicated Redis stops and starts again on its port; the secured Redis servers
//! refuse what lacks TLS or the password.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use tessera_testkit::{
    Backend, DedicatedRedis, database, redis, redis_sentinel_auth, redis_sentinel_tls, redis_tls,
};

/// The `host:port` part of a server URL.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

#[test]
fn every_database_is_fresh_on_one_shared_server() {
    for backend in Backend::ALL {
        let (a, b) = (database(backend).expect("first"), database(backend).expect("second"));
        assert_ne!(a.url, b.url, "{backend:?}");
        assert_eq!((a.backend, b.backend), (backend, backend));
        if backend != Backend::Sqlite {
            assert_eq!(authority(&a.url), authority(&b.url), "{backend:?}: one server");
            TcpStream::connect(authority(&a.url)).expect("the server listens");
        }
    }
}

#[test]
fn every_redis_user_gets_its_own_prefix_on_one_shared_server() {
    let (a, b) = (redis().expect("first"), redis().expect("second"));
    assert_eq!(a.url, b.url);
    assert_ne!(a.prefix, b.prefix);
    assert!(a.prefix.ends_with(':'), "{}", a.prefix);
}

#[test]
fn a_dedicated_redis_stops_and_starts_again_on_its_port() {
    let server = DedicatedRedis::start().expect("start");
    let address = authority(&server.url).to_owned();
    TcpStream::connect(&address).expect("listening");
    server.stop().expect("stop");
    assert!(TcpStream::connect(&address).is_err(), "still listening after stop");
    server.restart().expect("restart");
    TcpStream::connect(&address).expect("listening again");
}

#[test]
fn the_secured_redis_servers_refuse_clients_without_tls_or_the_password() {
    for (name, server) in [
        ("TLS", redis_tls()),
        ("Sentinel with a password", redis_sentinel_auth()),
        ("TLS Sentinel", redis_sentinel_tls()),
    ] {
        let server = server.unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert_eq!(server.tls.is_some(), server.url.starts_with("rediss"), "{name}");
        if let Some(tls) = &server.tls {
            for file in [&tls.ca_file, &tls.cert_file, &tls.key_file] {
                assert!(file.is_file(), "{name}: {}", file.display());
            }
        }
        let mut stream = TcpStream::connect(authority(&server.url)).expect("listening");
        stream.set_read_timeout(Some(Duration::from_secs(2))).expect("timeout");
        stream.write_all(b"PING\r\n").expect("write");
        let mut answer = [0u8; 64];
        let read = stream.read(&mut answer).unwrap_or(0);
        let answer = String::from_utf8_lossy(answer.get(..read).unwrap_or_default());
        assert!(!answer.starts_with("+PONG"), "{name}: answered a plain PING: {answer}");
        if server.tls.is_none() {
            assert!(answer.starts_with("-NOAUTH"), "{name}: {answer}");
        }
    }
}
