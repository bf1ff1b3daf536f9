import { App } from "cdktf";
import { loadEnvironments, loadState } from "./environments";
import { buildPlatform } from "./stacks/app";

const app = new App();
buildPlatform(app, { environments: loadEnvironments(), state: loadState() });
app.synth();
