export { AppKey, type AppKeyProps } from "./app-key";
