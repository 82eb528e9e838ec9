/** Panel entry: apply the host skin, connect to the Node side, render. Any startup failure renders an error card. */
import { createRoot } from 'react-dom/client';
import { addEventListener, getHostEnvironment, THEME_COLOR_CHANGED } from './lib/cep';
import { connectServices } from './lib/services';
import { applySkin } from './lib/skin';
import { App, StartupError } from './ui/App';

function followSkin(): void {
  applySkin(getHostEnvironment().appSkinInfo);
  addEventListener(THEME_COLOR_CHANGED, () => applySkin(getHostEnvironment().appSkinInfo));
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);
try {
  followSkin();
  const connection = connectServices();
  window.addEventListener('unload', () => void connection.services.dispose());
  root.render(<App connection={connection} />);
} catch (error) {
  root.render(<StartupError message={error instanceof Error ? error.message : String(error)} />);
}
