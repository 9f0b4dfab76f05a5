import { describeRecipe } from '../test-support/recipe-contract.js';
import { startHonoApp } from './hono-app.js';

describeRecipe('Hono', startHonoApp);
