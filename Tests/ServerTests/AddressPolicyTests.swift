import Testing

@testable import Server

/// Calls cannot be turned against this machine or its network unless the API allows it.
struct AddressPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.10", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
        "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1",
    ])
    func privateAddressesAreRefused(address: String) {
        #expect(AddressPolicy.isPrivate(address))
        #expect(AddressPolicy.problem(host: address, allowPrivate: false) != nil)
        #expect(AddressPolicy.problem(host: address, allowPrivate: true) == nil)
    }

    @Test func publicAddressesAndNamesThatResolveToLoopback() {
        for address in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700::1111"] {
            #expect(!AddressPolicy.isPrivate(address), "\(address)")
        }
        #expect(AddressPolicy.problem(host: "localhost", allowPrivate: false) != nil)
        #expect(AddressPolicy.problem(host: "[::1]", allowPrivate: false) != nil)
    }
}
