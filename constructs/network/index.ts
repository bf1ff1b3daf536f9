export { type NatGatewayMode, Network, type NetworkProps } from "./network";
