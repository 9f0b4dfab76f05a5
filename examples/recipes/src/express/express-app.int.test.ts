import { describeRecipe } from '../test-support/recipe-contract.js';
import { startExpressApp } from './express-app.js';

describeRecipe('Express', startExpressApp);
