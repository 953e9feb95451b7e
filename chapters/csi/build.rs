//! Compile `proto/csi.proto` without a system `protoc`: protox parses it into a
//! FileDescriptorSet in pure Rust, tonic-prost-build turns that into messages,
//! clients and server traits.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/csi.proto");
    let fds = protox::compile(["proto/csi.proto"], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
